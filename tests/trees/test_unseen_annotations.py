"""Amazon.Lambda.Annotations solutions shaped like real ones the fixtures do not cover (modern C#: file-scoped
namespaces, primary constructors, records, global usings; YAML templates; executables), each a regression test for
a bug found by running `migrate` on such a solution."""

from __future__ import annotations

import json
from pathlib import Path

from annotated_shop import CLOCK, CSPROJ, MIXED, USINGS, function, shop
from dotnet_compile import assert_compiles
from invariants import assert_architectures_kept, assert_handlers_resolve, assert_one_generator_per_template, \
    read_tree
from splitter.model.csharp import parser
from support import run_cli, write_tree


def migrate(root: Path, *args: str) -> tuple[int, str]:
    code, _, err = run_cli("migrate", root, *args)
    return code, err


def parses(path: Path) -> bool:
    data = path.read_bytes()
    return not parser().parse(data[3:] if data.startswith(b"\xef\xbb\xbf") else data).root_node.has_error


ARM64_REPORTS = USINGS + """
namespace Shop.Reports
{
    public class Reports
    {
        [LambdaFunction]
        public string Daily()
        {
            return "daily";
        }
    }
}
"""


def test_a_using_of_a_namespace_whose_types_all_left_the_library_is_dropped_so_the_split_compiles(tmp_path, mcs):
    # Clock.cs stays in the library; its `using Shop.Reports;` named a namespace only Reports (arm64) declared.
    clock = "using Shop.Reports;\n\n" + CLOCK
    resources = MIXED + (function("Daily", "arm64", cls="Shop.Reports.Reports"),)
    root = shop(tmp_path, {"src/Shop/Reports.cs": ARM64_REPORTS, "src/Shop/Clock.cs": clock}, resources=resources)
    code, err = migrate(root)
    assert code == 0, err
    assert "Shop.Reports" not in (root / "src/Shop/Clock.cs").read_text()
    assert (root / "src/Shop/Clock.cs").read_text() == clock.replace("using Shop.Reports;\n\n", "", 1)
    assert_compiles(root)


GLOBAL_USINGS = """global using Amazon.Lambda.Annotations;
global using Amazon.Lambda.Core;
global using Shop.Model;
global using Shop.Jobs;
"""
JOBS = """namespace Shop.Jobs;

public class NightlyJobs
{
    [LambdaFunction]
    public string Reconcile() => Names.Reconcile;
}
"""
MODEL = """namespace Shop.Model;

public static class Names
{
    public const string Reconcile = "reconcile";
}
"""


def test_a_global_using_of_a_namespace_that_leaves_the_library_stays_only_in_the_project_that_declares_it(tmp_path):
    resources = MIXED + (function("Reconcile", "arm64", cls="Shop.Jobs.NightlyJobs"),)
    root = shop(tmp_path, {"src/Shop/GlobalUsings.cs": GLOBAL_USINGS, "src/Shop/Jobs/NightlyJobs.cs": JOBS,
                           "src/Shop/Model/Names.cs": MODEL}, resources=resources)
    code, err = migrate(root)
    assert code == 0, err
    assert (root / "src/Shop/GlobalUsings.cs").read_text() == GLOBAL_USINGS.replace("global using Shop.Jobs;\n", "")
    x64 = (root / "src/Shop.X64/AssemblyAttributes.cs").read_text()
    arm64 = (root / "src/Shop.Arm64/AssemblyAttributes.cs").read_text()
    assert "global using Shop.Model;" in x64 and "Shop.Jobs" not in x64
    assert "global using Shop.Model;" in arm64 and "global using Shop.Jobs;" in arm64
    assert (root / "src/Shop.Arm64/Jobs/NightlyJobs.cs").read_text() == JOBS
    for path in root.rglob("*.cs"):
        assert parses(path), path


# -- refusals and the summary ----------------------------------------------------------------------------------------

def test_a_function_that_refers_to_a_resource_the_generator_does_not_own_is_refused_at_its_line(tmp_path):
    role = ("MailerRole", {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}})
    send = function("Count", "arm64", Role={"Fn::GetAtt": ["MailerRole", "Arn"]})   # [LambdaFunction(Role = "@...")]
    root = shop(tmp_path, resources=(MIXED[0], send, MIXED[2], role))
    template = root / "src/Shop/serverless.template"
    line = template.read_text().splitlines().index('    "ShopFunctionsCountGenerated": {') + 1
    code, err = migrate(root)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"lambda-split: error: {template}:{line}: ShopFunctionsCountGenerated refers to MailerRole")


def test_an_output_that_needs_both_stacks_is_refused_at_its_line(tmp_path):
    outputs = {"Both": {"Value": {"Fn::Join": [",", [{"Fn::GetAtt": ["ShopFunctionsPingGenerated", "Arn"]},
                                                     {"Fn::GetAtt": ["ShopFunctionsCountGenerated", "Arn"]}]]}}}
    root = shop(tmp_path, Outputs=outputs)
    template = root / "src/Shop/serverless.template"
    line = template.read_text().splitlines().index('    "Both": {') + 1
    code, err = migrate(root)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"lambda-split: error: {template}:{line}: output Both refers to")


def test_an_owned_api_both_stacks_need_is_reported_once(tmp_path):
    api = ("AnnotationsHttpApi", {"Type": "AWS::Serverless::HttpApi", "Metadata": {"Tool": "Amazon.Lambda.Annotations"}})
    events = {"Events": {"Get": {"Type": "HttpApi", "Properties": {"Path": "/", "Method": "GET",
                                                                   "ApiId": {"Ref": "AnnotationsHttpApi"}}}}}
    resources = (api, function("Ping", None, **events), function("Count", "arm64", **events), MIXED[2])
    root = shop(tmp_path, resources=resources)
    code, err = migrate(root)
    assert code == 0, err
    assert err.count("AnnotationsHttpApi is owned by the generator and needed by both") == 1
    for arch in ("X64", "Arm64"):
        assert "AnnotationsHttpApi" in json.loads((root / f"src/Shop.{arch}/serverless.template").read_text())[
            "Resources"]


# -- a modern solution, end to end -------------------------------------------------------------------------------------

MODERN_FUNCTIONS = """using Amazon.Lambda.Annotations;
using Amazon.Lambda.Annotations.APIGateway;
using Amazon.Lambda.Core;

[assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]

namespace Todo.Api;

public record TodoItem(string Id, string Title);

public class Functions(ITodoStore store)
{
    private int _calls;

    [LambdaFunction(ResourceName = "GetItem", MemorySize = 512, Policies = "AWSLambdaBasicExecutionRole")]
    [HttpApi(LambdaHttpMethod.Get, "/items/{id}")]
    public async Task<IHttpResult> GetItem(string id, ILambdaContext context)
    {
        Count();
        var item = await store.FindAsync(id);
        return item is null ? HttpResults.NotFound() : HttpResults.Ok(item);
    }

    [LambdaFunction]
    [HttpApi(LambdaHttpMethod.Post, "/items")]
    public async Task<IHttpResult> Create([FromBody] TodoItem item, [FromServices] IClock clock)
    {
        Count();
        await store.SaveAsync(item with { Title = $"{item.Title} @ {clock.Now}" });
        return HttpResults.Created($"/items/{item.Id}", item);
    }

    private void Count() => Interlocked.Increment(ref _calls);
}

public interface ITodoStore
{
    Task<TodoItem?> FindAsync(string id);
    Task SaveAsync(TodoItem item);
}

public interface IClock
{
    DateTimeOffset Now { get; }
}
"""
MODERN_QUEUE = """using Amazon.Lambda.Annotations;
using Amazon.Lambda.Annotations.SQS;
using Amazon.Lambda.SQSEvents;

namespace Todo.Api.Queue;

public class QueueProcessor(Todo.Api.ITodoStore store)
{
    [LambdaFunction(ResourceName = "ProcessQueue", Timeout = 60)]
    [SQSEvent("arn:aws:sqs:us-east-1:123456789012:todo")]
    public async Task Handle(SQSEvent evnt)
    {
        foreach (var message in evnt.Records)
        {
            await store.SaveAsync(new(message.MessageId, message.Body));
        }
    }
}
"""
MODERN_STARTUP = """using Microsoft.Extensions.DependencyInjection;

namespace Todo.Api;

[Amazon.Lambda.Annotations.LambdaStartup]
public class Startup
{
    public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IClock, SystemClock>();
}

internal sealed class SystemClock : IClock
{
    public DateTimeOffset Now => DateTimeOffset.UtcNow;
}
"""


def test_a_modern_csharp_solution_splits_keeping_ids_architectures_handlers_and_syntax(tmp_path):
    from invariants import assert_resources_unchanged, git_run

    def owned(name, handler, architecture, **properties):
        props = {"Runtime": "dotnet10", "CodeUri": ".", "MemorySize": 512, "Timeout": 30, "PackageType": "Zip",
                 "Handler": handler, **properties}
        if architecture:
            props["Architectures"] = [architecture]
        return name, {"Type": "AWS::Serverless::Function", "Metadata": {"Tool": "Amazon.Lambda.Annotations"},
                      "Properties": props}

    resources = (owned("GetItem", "Todo.Api::Todo.Api.Functions_GetItem_Generated::GetItem", None),
                 owned("TodoApiFunctionsCreateGenerated", "Todo.Api::Todo.Api.Functions_Create_Generated::Create",
                       "arm64"),
                 owned("ProcessQueue", "Todo.Api::Todo.Api.Queue.QueueProcessor_Handle_Generated::Handle", "arm64",
                       Timeout=60))
    template = json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Description": "This template is partially "
                           "managed by Amazon.Lambda.Annotations (v1.9.0.0).", "Resources": dict(resources)}, indent=2)
    csproj = CSPROJ.format(extra="").replace("net8.0", "net10.0")
    root = write_tree(tmp_path / "repo", {
        "src/Todo.Api/Todo.Api.csproj": csproj, "src/Todo.Api/Functions.cs": MODERN_FUNCTIONS,
        "src/Todo.Api/Queue/QueueProcessor.cs": MODERN_QUEUE, "src/Todo.Api/Startup.cs": MODERN_STARTUP,
        "src/Todo.Api/serverless.template": template,
        "src/Todo.Api/aws-lambda-tools-defaults.json": json.dumps({"template": "serverless.template"})})
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "before")):
        git_run(root, *args)
    before = write_tree(tmp_path / "before", read_tree(root))
    code, patch, err = run_cli("migrate", "--dry-run", root)
    assert code == 0, err
    code, err = migrate(root)
    assert code == 0, err
    applied = write_tree(tmp_path / "applied", read_tree(before))
    for args in (("init", "-q"),):
        git_run(applied, *args)
    git_run(applied, "apply", "-", stdin=patch.encode("utf-8"))
    assert read_tree(applied) == read_tree(root)
    assert_architectures_kept(before, root)
    assert_resources_unchanged(before, root)
    assert_handlers_resolve(root)
    assert_one_generator_per_template(root)
    for path in root.rglob("*.cs"):
        assert parses(path), path
    library = (root / "src/Todo.Api/Functions.cs").read_text()
    assert "record TodoItem" in library and "interface IClock" in library and "class Functions" not in library
    assert "class SystemClock" in (root / "src/Todo.Api/Startup.cs").read_text()
    assert (root / "src/Todo.Api.Arm64/Queue/QueueProcessor.cs").read_text() == MODERN_QUEUE
    for args in (("add", "-A"), ("commit", "-qm", "after")):
        git_run(root, *args)
    code, err = migrate(root)
    assert code == 0 and "Nothing to do" in err, err


PRIMARY = """using Amazon.Lambda.Annotations;

namespace Shop;

public abstract class Handlers(IClock clock)
{
    protected IClock Clock => clock;
}

/// <summary>Functions of both architectures.</summary>
public class Functions(IClock clock, IPrices prices, IAudit audit) : Handlers(clock)
{
    [LambdaFunction]
    public string Ping() => prices.Quote() + Clock.Now();

    [LambdaFunction]
    public int Count(int value) => audit.Record(value);

    [LambdaFunction]
    public string Where() => audit.Record(1).ToString();
}

public interface IPrices
{
    string Quote();
}

public interface IAudit
{
    int Record(int value);
}
"""


def test_a_copy_that_no_longer_reads_a_primary_constructor_parameter_disables_cs9113_above_the_class(tmp_path):
    root = shop(tmp_path, {"src/Shop/Functions.cs": PRIMARY})
    code, err = migrate(root)
    assert code == 0, err
    x64 = (root / "src/Shop.X64/Functions.cs").read_text()
    arm64 = (root / "src/Shop.Arm64/Functions.cs").read_text()
    # clock is passed to the base class, so both copies read it; Ping (x86_64) reads prices, Count and Where audit.
    assert "#pragma warning disable CS9113 // audit: read only by the other architecture's methods (lambda-split)\n" \
           "/// <summary>Functions of both architectures.</summary>\npublic class Functions(" in x64
    assert "#pragma warning disable CS9113 // prices: read only by the other architecture's methods" in arm64
    assert x64.count("#pragma") == arm64.count("#pragma") == 1
    assert "#pragma" not in (root / "src/Shop/Functions.cs").read_text()
    for path in root.rglob("*.cs"):
        assert parses(path), path
    assert_handlers_resolve(root)
