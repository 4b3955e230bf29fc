"""The mcs harness catches what a real `dotnet build` would: missing references, internals, encodings, globs."""

from __future__ import annotations

from pathlib import Path

import pytest

import builders
import dotnet_compile
from builders import NET8
from dotnet_compile import assert_compiles, compile_solution

def csproj(*packages: str, refs: tuple[str, ...] = (), extra: str = "", properties: str = "") -> str:
    """A net8.0 library; `extra` (whole lines) goes before </Project>, `properties` (whole lines) into its properties."""
    return builders.csproj(NET8, {package: "1.0.0" for package in packages}, refs,
                           extra_properties="\n" + properties.rstrip("\n") if properties else "", extra_items=extra)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="\n")
    return root


SHARED = """using System;

namespace Shop.Shared
{
    public class PriceCalculator
    {
        public decimal Total(decimal net) { return net + Tax.Of(net); }
    }

    internal static class Tax
    {
        public static decimal Of(decimal net) { return net * 0.2m; }
    }
}
"""

FUNCTION = """using System;
using Amazon.Lambda.Core;
using Shop.Shared;

[assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]

namespace Shop.{name}
{{
    public class Function
    {{
        public decimal FunctionHandler(decimal input, ILambdaContext context)
        {{
            context.Logger.LogInformation("pricing " + input);
            return new PriceCalculator().Total(input);
        }}
    }}
}}
"""

LAMBDA_PACKAGES = ("Amazon.Lambda.Core", "Amazon.Lambda.Serialization.SystemTextJson")


def split_solution(root: Path, function_body: str | None = None, lib_extra: str = "",
                   lib_source: str = SHARED) -> Path:
    """src/Shop.Shared (library) + src/Shop.X64 and src/Shop.Arm64 (functions referencing it)."""
    files = {
        "src/Shop.Shared/Shop.Shared.csproj": csproj(extra=lib_extra),
        "src/Shop.Shared/PriceCalculator.cs": lib_source,
    }
    for name in ("X64", "Arm64"):
        files[f"src/Shop.{name}/Shop.{name}.csproj"] = csproj(*LAMBDA_PACKAGES,
                                                              refs=(r"..\Shop.Shared\Shop.Shared.csproj",))
        files[f"src/Shop.{name}/Function.cs"] = (function_body or FUNCTION).format(name=name)
    return write(root, files)


def codes(result) -> set[str]:
    return {m.code for m in result.errors}


# ----------------------------------------------------------------------------------------------------------------


def test_shared_library_and_two_function_projects_compile_library_first(mcs, tmp_path):
    root = split_solution(tmp_path / "sln")
    result = assert_compiles(root, tmp_path / "out")
    names = [p.assembly_name for p in result.projects]
    assert names.index("Shop.Shared") < names.index("Shop.X64")
    assert names.index("Shop.Shared") < names.index("Shop.Arm64")
    shared = result.project("Shop.Shared").output
    for name in ("Shop.X64", "Shop.Arm64"):
        project = result.project(name)
        assert project.target == "library" and project.output.is_file()
        assert shared in project.references


def test_calling_an_internal_library_type_fails_without_internals_visible_to(mcs, tmp_path):
    body = FUNCTION.replace("new PriceCalculator().Total(input)", "Tax.Of(input)")
    result = compile_solution(split_solution(tmp_path / "sln", body), tmp_path / "out")
    assert not result.ok
    x64 = result.project("Shop.X64")
    assert x64.status == "failed" and "CS0122" in codes(x64)
    assert all(m.path.name == "Function.cs" and m.line == 14 for m in x64.errors)
    assert result.project("Shop.Shared").ok


def test_internals_visible_to_in_source_opens_internal_types(mcs, tmp_path):
    body = FUNCTION.replace("new PriceCalculator().Total(input)", "Tax.Of(input)")
    source = SHARED.replace("using System;\n", 'using System;\n'
                            '[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Shop.X64")]\n'
                            '[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Shop.Arm64")]\n')
    assert_compiles(split_solution(tmp_path / "sln", body, lib_source=source), tmp_path / "out")


def test_internals_visible_to_csproj_items_open_internal_types(mcs, tmp_path):
    body = FUNCTION.replace("new PriceCalculator().Total(input)", "Tax.Of(input)")
    items = ('  <ItemGroup>\n    <InternalsVisibleTo Include="Shop.X64" />\n'
             '    <InternalsVisibleTo Include="Shop.Arm64" />\n'
             '  </ItemGroup>\n')
    assert_compiles(split_solution(tmp_path / "sln", body, lib_extra=items), tmp_path / "out")


def test_internals_visible_to_item_expands_assembly_name(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(extra='  <ItemGroup><InternalsVisibleTo Include="$(AssemblyName).Tests" />'
                                       "</ItemGroup>\n", properties="    <AssemblyName>Core.Lib</AssemblyName>\n"),
        "Lib/Hidden.cs": "namespace Lib { internal class Hidden { internal int Value() { return 1; } } }\n",
        "Lib.Tests/Lib.Tests.csproj": csproj(refs=("../Lib/Lib.csproj",),
                                             properties="    <AssemblyName>Core.Lib.Tests</AssemblyName>\n"),
        "Lib.Tests/Use.cs": "namespace Lib.Tests { class Use { int M() { return new Lib.Hidden().Value(); } } }\n",
    })
    assert_compiles(root, tmp_path / "out")


def test_code_using_a_library_without_project_reference_fails(mcs, tmp_path):
    root = split_solution(tmp_path / "sln")
    arm = root / "src/Shop.Arm64/Shop.Arm64.csproj"
    arm.write_text(csproj(*LAMBDA_PACKAGES), encoding="utf-8")
    result = compile_solution(root, tmp_path / "out")
    assert result.project("Shop.X64").ok
    arm_result = result.project("Shop.Arm64")
    # `using Shop.Shared;` where only namespace Shop exists: CS0234 (CS0246 once the namespace is unknown too)
    assert not arm_result.ok and codes(arm_result) == {"CS0234"}
    with pytest.raises(AssertionError, match=r"Arm64.Function\.cs\(3,\d+\): error CS0234"):
        assert_compiles(root, tmp_path / "out2")


def test_project_reference_to_a_missing_project_fails(mcs, tmp_path):
    root = split_solution(tmp_path / "sln")
    (root / "src/Shop.X64/Shop.X64.csproj").write_text(
        csproj(*LAMBDA_PACKAGES, refs=(r"..\Shop.Common\Shop.Common.csproj", r"..\Shop.Shared\Shop.Shared.csproj")),
        encoding="utf-8")
    result = compile_solution(root, tmp_path / "out")
    x64 = result.project("Shop.X64")
    assert not x64.ok and "MSB9008" in codes(x64)
    assert "Shop.Common.csproj" in str(x64.errors[0])
    assert result.project("Shop.Arm64").ok


def test_circular_project_references_fail(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "A/A.csproj": csproj(refs=("../B/B.csproj",)),
        "A/A.cs": "namespace A { public class One { } }\n",
        "B/B.csproj": csproj(refs=("../A/A.csproj",)),
        "B/B.cs": "namespace B { public class Two { } }\n",
    })
    write(root, {"C/C.csproj": csproj(refs=("../A/A.csproj",)), "C/C.cs": "namespace C { class Three { } }\n"})
    result = compile_solution(root, tmp_path / "out")
    assert not result.ok
    assert {p.assembly_name for p in result.projects if "MSB4006" in codes(p)} == {"A", "B"}
    assert result.project("C").status == "blocked"


def test_project_that_a_failed_project_feeds_is_blocked(mcs, tmp_path):
    root = split_solution(tmp_path / "sln", lib_source=SHARED.replace("net * 0.2m;", "net * ;"))
    result = compile_solution(root, tmp_path / "out")
    assert result.project("Shop.Shared").status == "failed"
    assert {result.project(n).status for n in ("Shop.X64", "Shop.Arm64")} == {"blocked"}


def test_lambda_serializer_assembly_attribute_compiles_against_stubs(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Fn/Fn.csproj": csproj(*LAMBDA_PACKAGES, "Amazon.Lambda.APIGatewayEvents", "Amazon.Lambda.SQSEvents",
                               "Amazon.Lambda.S3Events"),
        "Fn/Function.cs": """using System.Collections.Generic;
using System.Threading.Tasks;
using Amazon.Lambda.APIGatewayEvents;
using Amazon.Lambda.Core;
using Amazon.Lambda.S3Events;
using Amazon.Lambda.SQSEvents;
using Amazon.Lambda.Serialization.SystemTextJson;

[assembly: LambdaSerializer(typeof(DefaultLambdaJsonSerializer))]

namespace Fn
{
    public class Function
    {
        public APIGatewayHttpApiV2ProxyResponse Get(APIGatewayHttpApiV2ProxyRequest request, ILambdaContext context)
        {
            context.Logger.LogLine(request.RequestContext.Http.Method + " " + context.AwsRequestId);
            return new APIGatewayHttpApiV2ProxyResponse
            {
                StatusCode = 200,
                Body = System.Text.Json.JsonSerializer.Serialize(request.PathParameters),
                Headers = new Dictionary<string, string> { { "Content-Type", "application/json" } },
            };
        }

        public APIGatewayProxyResponse Rest(APIGatewayProxyRequest request, ILambdaContext context)
        {
            return new APIGatewayProxyResponse { StatusCode = 404, Body = request.QueryStringParameters["q"] };
        }

        [LambdaSerializer(typeof(CamelCaseLambdaJsonSerializer))]
        public async Task<SQSBatchResponse> Queue(SQSEvent evnt, ILambdaContext context)
        {
            var failures = new List<SQSBatchResponse.BatchItemFailure>();
            foreach (var message in evnt.Records)
            {
                await Task.Yield();
                LambdaLogger.Log(message.Body);
            }
            return new SQSBatchResponse(failures);
        }

        public string Bucket(S3Event evnt) { return evnt.Records[0].S3.Bucket.Name + evnt.Records[0].S3.Object.Key; }
    }
}
""",
    })
    assert_compiles(root, tmp_path / "out")


ANNOTATIONS_FUNCTION = """using System;
using Amazon.Lambda.Annotations;
using Amazon.Lambda.Annotations.APIGateway;
using Amazon.Lambda.Core;
using Microsoft.Extensions.DependencyInjection;

[assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]

namespace Calc
{
    public interface ICalculatorService { int Add(int x, int y); }

    public class CalculatorService : ICalculatorService { public int Add(int x, int y) { return x + y; } }

    [LambdaStartup]
    public class Startup
    {
        public void ConfigureServices(IServiceCollection services)
        {
            services.AddSingleton<ICalculatorService, CalculatorService>();
        }
    }

    public class Functions
    {
        [LambdaFunction(ResourceName = "Root", MemorySize = 512, Timeout = 30, Policies = "AWSLambdaBasicExecutionRole")]
        [HttpApi(LambdaHttpMethod.Get, "/")]
        public IHttpResult Default(ILambdaContext context)
        {
            context.Logger.LogInformation("root");
            return HttpResults.Ok("Hello").AddHeader("x-calc", "1");
        }

        [LambdaFunction]
        [RestApi(LambdaHttpMethod.Get, "/add/{x}/{y}")]
        public int Add(int x, int y, [FromServices] ICalculatorService calculator, [FromQuery] string unit,
                       [FromHeader(Name = "X-Trace")] string trace)
        {
            return calculator.Add(x, y);
        }

        [LambdaFunction(PackageType = LambdaPackageType.Zip)]
        [HttpApi(LambdaHttpMethod.Post, "/echo/{id}", Version = HttpApiVersion.V1)]
        public IHttpResult Echo([FromRoute] string id, [FromBody] string payload)
        {
            return string.IsNullOrEmpty(payload) ? HttpResults.BadRequest() : HttpResults.NotFound(id);
        }
    }
}
"""


def test_annotations_function_with_http_api_and_startup_compiles(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Calc/Calc.csproj": csproj("Amazon.Lambda.Core", "Amazon.Lambda.Annotations",
                                   "Amazon.Lambda.Serialization.SystemTextJson",
                                   "Microsoft.Extensions.DependencyInjection"),
        "Calc/Functions.cs": ANNOTATIONS_FUNCTION,
    })
    assert_compiles(root, tmp_path / "out")


def test_annotations_without_the_package_reference_fails(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Calc/Calc.csproj": csproj("Amazon.Lambda.Core", "Amazon.Lambda.Serialization.SystemTextJson",
                                   "Microsoft.Extensions.DependencyInjection"),
        "Calc/Functions.cs": ANNOTATIONS_FUNCTION,
    })
    result = compile_solution(root, tmp_path / "out")
    assert "CS0246" in codes(result)


TEST_CSPROJ_PACKAGES = ("Microsoft.NET.Test.Sdk", "xunit", "xunit.runner.visualstudio", "Amazon.Lambda.TestUtilities")

TESTS_SOURCE = """using System;
using System.Threading.Tasks;
using Amazon.Lambda.Core;
using Amazon.Lambda.TestUtilities;
using Shop.X64;
using Xunit;

namespace Shop.Tests
{
    public class FunctionTest
    {
        [Fact]
        public void TotalAddsTax()
        {
            var logger = new TestLambdaLogger();
            ILambdaContext context = new TestLambdaContext { Logger = logger, FunctionName = "Price" };
            var total = new Function().FunctionHandler(10m, context);
            Assert.Equal(12m, total);
            Assert.Contains("pricing", logger.Buffer.ToString());
            Assert.NotNull(context.Logger);
        }

        [Theory]
        [InlineData(1, 2)]
        public async Task ThrowsOnNull(int a, int b)
        {
            Assert.True(a < b);
            Assert.Throws<ArgumentNullException>(() => { throw new ArgumentNullException("x"); });
            await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromException(new InvalidOperationException()));
        }
    }
}
"""


def test_xunit_project_referencing_a_function_project_compiles(mcs, tmp_path):
    root = split_solution(tmp_path / "sln")
    write(root, {
        "test/Shop.Tests/Shop.Tests.csproj": csproj(*TEST_CSPROJ_PACKAGES,
                                                    refs=(r"..\..\src\Shop.X64\Shop.X64.csproj",),
                                                    properties="    <OutputType>Exe</OutputType>\n"),
        "test/Shop.Tests/FunctionTest.cs": TESTS_SOURCE,
    })
    result = assert_compiles(root, tmp_path / "out")
    tests = result.project("Shop.Tests")
    assert tests.target == "library"     # the test SDK, not the project, supplies Main
    assert result.project("Shop.Shared").output in tests.references    # ProjectReferences are transitive


def test_packages_marked_private_do_not_flow_to_referencing_projects(mcs, tmp_path):
    root = split_solution(tmp_path / "sln")
    (root / "src/Shop.X64/Shop.X64.csproj").write_text(csproj(
        extra='  <ItemGroup>\n    <PackageReference Include="Amazon.Lambda.Core" PrivateAssets="all" />\n'
              '    <PackageReference Include="Amazon.Lambda.Serialization.SystemTextJson">\n'
              '      <PrivateAssets>all</PrivateAssets>\n    </PackageReference>\n'
              '    <ProjectReference Include="../Shop.Shared/Shop.Shared.csproj" />\n  </ItemGroup>\n'),
        encoding="utf-8")
    write(root, {
        "test/Shop.Tests/Shop.Tests.csproj": csproj("Microsoft.NET.Test.Sdk", "xunit",
                                                    refs=("../../src/Shop.X64/Shop.X64.csproj",)),
        "test/Shop.Tests/FunctionTest.cs": TESTS_SOURCE.replace("using Amazon.Lambda.TestUtilities;\n", "")
        .replace("new TestLambdaLogger()", "(ILambdaLogger)null").replace(
            "new TestLambdaContext { Logger = logger, FunctionName = \"Price\" }", "null")
        .replace("logger.Buffer.ToString()", "\"\""),
    })
    result = compile_solution(root, tmp_path / "out")
    assert result.project("Shop.X64").ok
    tests = result.project("Shop.Tests")
    assert not tests.ok and any("Amazon.Lambda.Core" in m.text or m.code == "CS0246" for m in tests.errors)


def test_unknown_package_is_ignored_so_code_needing_it_fails(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Fn/Fn.csproj": csproj("Amazon.Lambda.Core", "AWSSDK.DynamoDBv2"),
        "Fn/Function.cs": "using Amazon.DynamoDBv2;\nnamespace Fn { class F { } }\n",
    })
    result = compile_solution(root, tmp_path / "out")
    assert [(m.code, m.line) for m in result.errors] == [("CS0234", 1)]


def test_executable_function_with_async_main_is_checked_as_a_library(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Fn/Fn.csproj": csproj("Amazon.Lambda.Core", "Amazon.Lambda.RuntimeSupport",
                               "Amazon.Lambda.Serialization.SystemTextJson",
                               properties="    <OutputType>Exe</OutputType>\n"),
        "Fn/Function.cs": """using System;
using System.Threading.Tasks;
using Amazon.Lambda.Core;
using Amazon.Lambda.RuntimeSupport;
using Amazon.Lambda.Serialization.SystemTextJson;

namespace Fn
{
    public class Function
    {
        private static async Task Main()
        {
            Func<string, ILambdaContext, string> handler = FunctionHandler;
            await LambdaBootstrapBuilder.Create(handler, new DefaultLambdaJsonSerializer()).Build().RunAsync();
        }

        public static string FunctionHandler(string input, ILambdaContext context) { return input.ToUpper(); }
    }
}
""",
    })
    result = assert_compiles(root, tmp_path / "out")
    fn = result.project("Fn")
    assert (fn.target, fn.target_note) == ("library", "mcs has no async Main (C# 7.1); its body is still type-checked")


def test_executable_with_a_synchronous_main_compiles_as_exe(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Fn/Fn.csproj": csproj(properties="    <OutputType>Exe</OutputType>\n"),
        "Fn/Program.cs": "namespace Fn { static class Program { static int Main(string[] args) { return 0; } } }\n",
    })
    fn = assert_compiles(root, tmp_path / "out").project("Fn")
    assert fn.target == "exe" and fn.output.suffix == ".exe" and fn.output.is_file()


def test_executable_without_main_fails(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Fn/Fn.csproj": csproj(properties="    <OutputType>Exe</OutputType>\n"),
        "Fn/Function.cs": "namespace Fn { public class Function { } }\n",
    })
    assert "CS5001" in codes(compile_solution(root, tmp_path / "out"))


# ---------------------------------------------------------------------------------------------------------------
# Encodings and line endings

CP1252_SOURCE = ("// Größe des Warenkorbs, café\r\n"
                 "namespace Shop\r\n{\r\n"
                 "    public static class Größen\r\n    {\r\n"
                 "        public const string Café = \"Café crème\";\r\n"
                 "        public static int Größe() { return Café.Length; }\r\n"
                 "    }\r\n}\r\n")


def test_cp1252_source_with_non_ascii_identifiers_compiles(mcs, tmp_path):
    # Read as UTF-8, the cp1252 bytes of "ö"/"é" become U+FFFD and mcs rejects the identifiers (CS1056).
    root = write(tmp_path / "sln", {"Lib/Lib.csproj": csproj(), "Lib/Sizes.cs": CP1252_SOURCE.encode("cp1252")})
    result = assert_compiles(root, tmp_path / "out")
    assert result.project("Lib").codepage == "1252"


def test_cp1252_and_utf8_sources_in_one_project_share_identifiers(mcs, tmp_path):
    user = "namespace Shop { static class User { static int M() { return Größen.Größe() + Größen.Café.Length; } } }\n"
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(),
        "Lib/Sizes.cs": CP1252_SOURCE.encode("cp1252"),
        "Lib/User.cs": user.encode("utf-8"),
    })
    result = assert_compiles(root, tmp_path / "out")
    assert result.project("Lib").codepage == "utf8"


def test_errors_in_a_recoded_cp1252_file_point_at_the_original_file_and_line(mcs, tmp_path):
    broken = CP1252_SOURCE.replace("return Café.Length;", "return Café;")
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(),
        "Lib/Sizes.cs": broken.encode("cp1252"),
        "Lib/User.cs": "namespace Shop { static class User { const string Ü = \"ü\"; } }\n".encode("utf-8"),
    })
    result = compile_solution(root, tmp_path / "out")
    [error] = result.errors
    assert (error.path, error.line, error.code) == (root / "Lib" / "Sizes.cs", 7, "CS0029")


def test_crlf_and_utf8_bom_sources_compile(mcs, tmp_path):
    bom_crlf = "\ufeffusing System;\r\nnamespace Shop\r\n{\r\n    public class Crème { public string Name = \"brûlée\"; }\r\n}\r\n"
    crlf = "namespace Shop\r\n{\r\n    public class Uses { public string M() { return new Crème().Name; } }\r\n}\r\n"
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj().replace("\n", "\r\n"),
        "Lib/Creme.cs": bom_crlf.encode("utf-8"),
        "Lib/Uses.cs": crlf.encode("utf-8"),
    })
    assert_compiles(root, tmp_path / "out")


# ---------------------------------------------------------------------------------------------------------------
# Which files a project compiles

BROKEN = "this is not C#\n"


def test_compile_remove_globs_with_backslashes_exclude_sources(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(extra='  <ItemGroup>\n    <Compile Remove="Legacy\\**" />\n'
                                       '    <Compile Remove="**\\*.Old.cs" />\n  </ItemGroup>\n'),
        "Lib/Good.cs": "namespace Lib { class Good { } }\n",
        "Lib/Legacy/Deep/Broken.cs": BROKEN,
        "Lib/Sub/Thing.Old.cs": BROKEN,
    })
    result = assert_compiles(root, tmp_path / "out")
    assert [s.name for s in result.project("Lib").sources] == ["Good.cs"]


def test_without_default_compile_items_only_included_files_compile(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(properties="    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>\n",
                                 extra='  <ItemGroup>\n    <Compile Include="Src\\*.cs" Exclude="Src\\Skip*.cs" />\n'
                                       '    <Compile Include="..\\Linked\\Shared.cs" />\n  </ItemGroup>\n'),
        "Lib/Src/A.cs": "namespace Lib { class A { Linked.Shared s; } }\n",
        "Lib/Src/SkipMe.cs": BROKEN,
        "Lib/Other.cs": BROKEN,
        "Linked/Shared.cs": "namespace Linked { class Shared { } }\n",
    })
    result = assert_compiles(root, tmp_path / "out")
    assert sorted(s.name for s in result.project("Lib").sources) == ["A.cs", "Shared.cs"]


def test_explicit_include_of_a_default_item_is_a_duplicate_like_in_the_sdk(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(extra='  <ItemGroup>\n    <Compile Include="A.cs" />\n  </ItemGroup>\n'),
        "Lib/A.cs": "namespace Lib { class A { } }\n",
    })
    assert codes(compile_solution(root, tmp_path / "out")) == {"NETSDK1022"}


def test_sources_of_a_nested_project_are_globbed_into_the_parent_as_msbuild_does(mcs, tmp_path):
    files = {
        "App/App.csproj": csproj(),
        "App/Program.cs": "namespace App { class Program { } }\n",
        "App/Inner/Inner.csproj": csproj("Amazon.Lambda.Core"),
        "App/Inner/Handler.cs": "using Amazon.Lambda.Core;\nnamespace Inner { class H { ILambdaContext c; } }\n",
    }
    result = compile_solution(write(tmp_path / "a", files), tmp_path / "out-a")
    assert result.project("Inner").ok
    assert not result.project("App").ok and {m.path.name for m in result.project("App").errors} == {"Handler.cs"}
    files["App/App.csproj"] = csproj(properties="    <DefaultItemExcludes>$(DefaultItemExcludes);Inner\\**"
                                                "</DefaultItemExcludes>\n")
    assert_compiles(write(tmp_path / "b", files), tmp_path / "out-b")


def test_directory_build_props_properties_and_packages_apply(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Directory.Build.props": "<Project>\n  <PropertyGroup><AssemblyName>Renamed</AssemblyName></PropertyGroup>\n"
                                 '  <ItemGroup><PackageReference Include="Amazon.Lambda.Core" /></ItemGroup>\n</Project>\n',
        "src/Fn/Fn.csproj": csproj(),
        "src/Fn/F.cs": "using Amazon.Lambda.Core;\nnamespace Fn { class F { ILambdaContext c; } }\n",
    })
    result = assert_compiles(root, tmp_path / "out")
    assert result.projects[0].output.name == "Renamed.dll"


def test_release_only_items_are_not_referenced_in_a_debug_check(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Fn/Fn.csproj": csproj(extra="  <ItemGroup Condition=\"'$(Configuration)' == 'Release'\">\n"
                                     '    <PackageReference Include="Amazon.Lambda.Core" />\n  </ItemGroup>\n'),
        "Fn/F.cs": "using Amazon.Lambda.Core;\nnamespace Fn { class F { } }\n",
    })
    assert codes(compile_solution(root, tmp_path / "out")) == {"CS0246"}


def test_sources_under_bin_obj_and_hidden_folders_are_not_compiled(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(),
        "Lib/A.cs": "namespace Lib { class A { } }\n",
        "Lib/bin/Debug/net8.0/Gen.cs": BROKEN,
        "Lib/obj/Debug/net8.0/Lib.AssemblyInfo.cs": BROKEN,
        "Lib/.vs/Cache.cs": BROKEN,
        "Lib/bin/Stray/Stray.csproj": "not xml",
    })
    result = assert_compiles(root, tmp_path / "out")
    assert [p.assembly_name for p in result.projects] == ["Lib"]


def test_handwritten_assembly_version_collides_with_the_generated_one(mcs, tmp_path):
    info = "[assembly: System.Reflection.AssemblyVersion(\"2.0.0.0\")]\n"
    files = {"Lib/Lib.csproj": csproj(), "Lib/Properties/AssemblyInfo.cs": info}
    assert "CS0579" in codes(compile_solution(write(tmp_path / "a", files), tmp_path / "out-a"))
    files["Lib/Lib.csproj"] = csproj(properties="    <GenerateAssemblyInfo>false</GenerateAssemblyInfo>\n")
    assert_compiles(write(tmp_path / "b", files), tmp_path / "out-b")


def test_assembly_attribute_items_are_generated(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(extra='  <ItemGroup>\n    <AssemblyAttribute Include="System.CLSCompliantAttribute">\n'
                                       "      <_Parameter1>true</_Parameter1>\n"
                                       "      <_Parameter1_IsLiteral>true</_Parameter1_IsLiteral>\n"
                                       "    </AssemblyAttribute>\n  </ItemGroup>\n"),
        "Lib/A.cs": "[assembly: System.CLSCompliant(false)]\nnamespace Lib { class A { } }\n",
    })
    # Declared twice (generated + handwritten): the duplicate proves the item was turned into an attribute.
    assert "CS0579" in codes(compile_solution(root, tmp_path / "out"))


def test_target_framework_symbols_are_defined(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(properties="    <DefineConstants>$(DefineConstants);SHOP</DefineConstants>\n"),
        "Lib/A.cs": "#if NET8_0_OR_GREATER && NET6_0_OR_GREATER && !NET9_0_OR_GREATER && SHOP && DEBUG\n"
                    "namespace Lib { class A { } }\n#else\nbroken\n#endif\n",
    })
    assert_compiles(root, tmp_path / "out")


def test_assert_compiles_reports_every_error_with_file_and_line(mcs, tmp_path):
    root = write(tmp_path / "sln", {
        "Lib/Lib.csproj": csproj(),
        "Lib/A.cs": "namespace Lib\n{\n    class A { Nope n; }\n}\n",
        "Lib/B.cs": "namespace Lib { class B { Missing m; } }\n",
    })
    with pytest.raises(AssertionError) as caught:
        assert_compiles(root, tmp_path / "out")
    message = str(caught.value)
    assert f"{root / 'Lib' / 'A.cs'}(3,15): error CS0246" in message
    assert f"{root / 'Lib' / 'B.cs'}(1,27): error CS0246" in message


def test_compiling_writes_nothing_inside_the_solution(mcs, tmp_path):
    root = split_solution(tmp_path / "sln")
    before = sorted(p for p in root.rglob("*"))
    result = assert_compiles(root)
    assert sorted(p for p in root.rglob("*")) == before
    assert all(root not in p.output.parents for p in result.projects)
    with pytest.raises(ValueError):
        compile_solution(root, root / "out")


def test_no_projects_is_not_a_success(mcs, tmp_path):
    result = compile_solution(write(tmp_path / "sln", {"readme.txt": "x"}), tmp_path / "out")
    assert not result.ok and "no .csproj" in result.report()


def test_stub_cache_is_keyed_by_the_stub_sources(mcs, tmp_path, monkeypatch):
    sources = tmp_path / "stubs"
    sources.mkdir()
    for name in ("Amazon.Lambda.Core.cs", "System.Text.Json.cs"):
        (sources / name).write_bytes((dotnet_compile.STUB_SOURCES / name).read_bytes())
    monkeypatch.setattr(dotnet_compile, "STUB_SOURCES", sources)
    monkeypatch.setattr(dotnet_compile, "STUB_CACHE", tmp_path / "cache")
    monkeypatch.setattr(dotnet_compile, "_built_stubs", None)
    first = dotnet_compile.stub_assemblies()
    monkeypatch.setattr(dotnet_compile, "_built_stubs", None)
    assert dotnet_compile.stub_assemblies() == first
    with (sources / "Amazon.Lambda.Core.cs").open("a", encoding="utf-8") as stub:
        stub.write("\nnamespace Amazon.Lambda.Core { public class Extra { } }\n")
    monkeypatch.setattr(dotnet_compile, "_built_stubs", None)
    second = dotnet_compile.stub_assemblies()
    assert second["Amazon.Lambda.Core"].parent != first["Amazon.Lambda.Core"].parent
    assert all(path.is_file() for path in [*first.values(), *second.values()])


# ---------------------------------------------------------------------------------------------------------------
# Without mcs


def test_missing_mcs_fails_in_ci(monkeypatch):
    monkeypatch.setattr(dotnet_compile.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="mono-mcs"):
        dotnet_compile.require_mcs()


def test_missing_mcs_skips_outside_ci(monkeypatch):
    monkeypatch.setattr(dotnet_compile.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="mono-mcs"):
        dotnet_compile.require_mcs()


def test_every_stub_maps_to_a_real_package_or_framework_assembly():
    catalog = dotnet_compile.stub_catalog()
    assert set(catalog) >= {"Amazon.Lambda.Core", "Amazon.Lambda.Annotations", "xunit.core", "xunit.assert",
                            "Amazon.Lambda.TestUtilities", "Microsoft.Extensions.DependencyInjection.Abstractions"}
    for stub in catalog.values():
        assert stub.packages, f"{stub.source.name} names no package"
        assert all(ref in catalog for ref in stub.references), stub
