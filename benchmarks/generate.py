"""Generate a monorepo-shaped .NET Lambda solution for benchmarks: N functions over several templates, M C# files.

Shape: shared class libraries, one folder per app holding a template (JSON or YAML), its Lambda projects (handlers,
models, services) and their xunit test projects, all listed in one .sln. Most Lambda projects serve one
architecture; about one in eight serves both (the hazard `check` reports and `migrate` splits). Usage:

    python benchmarks/generate.py OUT [--functions 400] [--files 2000] [--format json|yaml] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

DOMAINS = ("Orders", "Billing", "Inventory", "Shipping", "Catalog", "Payments", "Customers", "Notifications",
           "Reporting", "Search", "Media", "Identity", "Pricing", "Reviews", "Loyalty", "Returns", "Fulfillment",
           "Analytics", "Marketing", "Support")
ROLES = ("Api", "Workers", "Events", "Jobs", "Streams", "Admin", "Webhooks", "Sync")
NOUNS = ("Order", "Invoice", "Item", "Shipment", "Product", "Payment", "Customer", "Message", "Report", "Query",
         "Image", "Account", "Price", "Review", "Reward", "Refund", "Parcel", "Metric", "Campaign", "Ticket",
         "Address", "Discount", "Token", "Batch", "Export", "Snapshot", "Quote", "Warehouse", "Carrier", "Coupon")
VERBS = ("Get", "List", "Create", "Update", "Delete", "Process", "Import", "Export", "Resize", "Notify",
         "Validate", "Reconcile", "Archive", "Publish", "Sync", "Score", "Aggregate", "Dispatch")
PROPERTY_TYPES = ("string", "int", "decimal", "DateTime", "bool", "Guid", "long", "double", "string?")
LIBRARIES = ("Common", "Data", "Messaging", "Observability", "Security", "Http")
SDK_PROJECT = "9A19103F-16F7-4668-BE54-9A1E7A4F7556"
SOLUTION_FOLDER = "2150E333-8FDC-42A3-9474-1A3956D46DE8"
PROJECTS_PER_TEMPLATE = 8
FUNCTIONS_PER_PROJECT = 6
MIXED_EVERY = 8


@dataclass
class Handler:
    class_name: str
    methods: list[str]


@dataclass
class Function:
    logical_id: str
    architecture: str
    handler: str
    kind: str                      # "api", "sqs" or "schedule"


@dataclass
class LambdaProject:
    name: str
    app: str
    functions: list[Function] = field(default_factory=list)
    handlers: list[Handler] = field(default_factory=list)
    libraries: list[str] = field(default_factory=list)
    extra_files: int = 0           # models and services beyond the handlers

    @property
    def mixed(self) -> bool:
        return len({f.architecture for f in self.functions}) > 1


@dataclass
class Summary:
    root: Path
    functions: int
    arm64_functions: int
    cs_files: int
    projects: int
    mixed_projects: int
    templates: int


def generate(out: Path, functions: int = 400, files: int = 2000, fmt: str = "json", seed: int = 0,
             shape: str = "monorepo") -> Summary:
    """Write the solution below `out` (which must not exist or be empty) and say what it holds. Shape "monorepo"
    is the one above; shape "project" is one Lambda project serving both architectures (half its functions arm64),
    in one template, holding every C# file (handlers, models, services): all of them belong to the project split."""
    if shape not in ("monorepo", "project"):
        raise ValueError("shape is monorepo or project")
    if shape == "project":
        return _generate_project(Path(out), functions, files, fmt, seed)
    if fmt not in ("json", "yaml"):
        raise ValueError("fmt is json or yaml")
    if functions < 2:
        raise ValueError("at least two functions (one mixed project needs both architectures)")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    rng = random.Random(seed)
    writer = _Writer(out)
    projects = _layout(functions, rng)
    libraries = [f"Shared.{name}" for name in LIBRARIES[:max(1, min(len(LIBRARIES), functions // 40 + 1))]]
    for project in projects:
        project.libraries = rng.sample(libraries, k=min(len(libraries), rng.randint(1, 3)))
    tests = len(projects)
    fixed = sum(len(p.handlers) + 1 for p in projects) + tests      # handlers + AssemblyInfo.cs, one test each
    spare = max(0, files - fixed)
    library_files = max(len(libraries) * 2, spare * 3 // 10) if spare else 0
    library_files = min(library_files, spare)
    _spread(spare - library_files, projects, rng)
    writer.text("Directory.Build.props", _directory_build_props())
    for library in libraries:
        _write_library(writer, library, library_files // len(libraries), rng)
    for offset in range(library_files % len(libraries)):
        _write_library_file(writer, libraries[offset], f"Extra{offset}", rng)
    apps: dict[str, list[LambdaProject]] = {}
    for project in projects:
        apps.setdefault(project.app, []).append(project)
    for app, members in apps.items():
        for project in members:
            _write_lambda_project(writer, project, rng)
            _write_test_project(writer, project, rng)
        _write_template(writer, app, members, fmt, rng)
    writer.text("Monorepo.sln", _solution(libraries, apps))
    return Summary(out, functions, sum(f.architecture == "arm64" for p in projects for f in p.functions),
                   writer.cs_files, len(projects), sum(p.mixed for p in projects), len(apps))


def _generate_project(out: Path, functions: int, files: int, fmt: str, seed: int) -> Summary:
    if fmt not in ("json", "yaml"):
        raise ValueError("fmt is json or yaml")
    if functions < 2:
        raise ValueError("at least two functions (one mixed project needs both architectures)")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    rng = random.Random(seed)
    writer = _Writer(out)
    project = LambdaProject("Shop.Functions", "Shop")
    for number in range(functions):
        project.functions.append(Function("", "arm64" if number % 2 else "x86_64", "",
                                          ("api", "sqs", "schedule")[rng.randrange(3)]))
    _name_handlers(project, rng)
    project.extra_files = max(0, files - len(project.handlers) - 1)
    writer.text("Directory.Build.props", _directory_build_props())
    _write_lambda_project(writer, project, rng)
    _write_template(writer, project.app, [project], fmt, rng)
    writer.text("Shop.sln", _solution([], {project.app: [project]}, tests=False))
    return Summary(out, functions, sum(f.architecture == "arm64" for f in project.functions), writer.cs_files, 1, 1, 1)


# -- layout --------------------------------------------------------------------------------------------------------

def _layout(functions: int, rng: random.Random) -> list[LambdaProject]:
    """Projects of about six functions, eight per app; one in eight mixed, the rest alternating architectures so
    that half the functions run on arm64."""
    count = max(1, round(functions / FUNCTIONS_PER_PROJECT))
    sizes = [functions // count + (1 if i < functions % count else 0) for i in range(count)]
    projects: list[LambdaProject] = []
    names: set[str] = set()
    arm64 = 0
    for index, size in enumerate(sizes):
        app = f"{DOMAINS[(index // PROJECTS_PER_TEMPLATE) % len(DOMAINS)]}" + \
            (str(index // (PROJECTS_PER_TEMPLATE * len(DOMAINS)) + 1) if index >= PROJECTS_PER_TEMPLATE * len(DOMAINS)
             else "")
        name = f"{app}.{ROLES[index % len(ROLES)]}"
        while name in names:
            name += "X"
        names.add(name)
        project = LambdaProject(name, app)
        mixed = size >= 2 and index % MIXED_EVERY == min(3, count - 1)
        done = sum(len(p.functions) for p in projects)
        single = "arm64" if arm64 * 2 < done + size // 2 else "x86_64"
        for number in range(size):
            arch = ("arm64" if number % 2 else "x86_64") if mixed else single
            arm64 += arch == "arm64"
            project.functions.append(Function("", arch, "", ("api", "sqs", "schedule")[rng.randrange(3)]))
        _name_handlers(project, rng)
        projects.append(project)
    return projects


def _name_handlers(project: LambdaProject, rng: random.Random) -> None:
    """One handler class per function, except that a mixed project has one class whose two methods serve both
    architectures (it stays in the shared library) and one handler deployed twice."""
    used: set[str] = set()
    short = project.name.replace(".", "")
    pending = list(project.functions)
    if project.mixed and len(pending) >= 4:
        shared = _unique(f"{rng.choice(NOUNS)}Calculator", used)
        x64 = next(f for f in pending if f.architecture == "x86_64")
        arm = next(f for f in pending if f.architecture == "arm64")
        project.handlers.append(Handler(shared, ["Add", "Multiply"]))
        for function, method in ((x64, "Add"), (arm, "Multiply")):
            function.handler = f"{project.name}::{project.name}.Handlers.{shared}::{method}"
            function.logical_id = _unique(f"{short}{shared}{method}", used)
            pending.remove(function)
    for function in pending:
        cls = _unique(f"{rng.choice(VERBS)}{rng.choice(NOUNS)}Handler", used)
        project.handlers.append(Handler(cls, ["FunctionHandler"]))
        function.handler = f"{project.name}::{project.name}.Handlers.{cls}::FunctionHandler"
        function.logical_id = _unique(f"{short}{cls[:-len('Handler')]}Function", used)


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name}{number}", number + 1
    used.add(candidate)
    return candidate


def _spread(files: int, projects: list[LambdaProject], rng: random.Random) -> None:
    for index in range(files):
        projects[index % len(projects) if index < len(projects) else rng.randrange(len(projects))].extra_files += 1


# -- files ------------------------------------------------------------------------------------------------------

class _Writer:
    def __init__(self, root: Path):
        self.root = root
        self.cs_files = 0

    def text(self, relpath: str, content: str, crlf: bool = False) -> None:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.replace("\n", "\r\n").encode("utf-8") if crlf else content.encode("utf-8"))
        if relpath.endswith(".cs"):
            self.cs_files += 1


def _directory_build_props() -> str:
    return ("<Project>\n  <PropertyGroup>\n    <LangVersion>latest</LangVersion>\n"
            "    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>\n    <Company>Example Corp</Company>\n"
            "  </PropertyGroup>\n</Project>\n")


def _csproj(lambda_project: bool, packages: list[tuple[str, str]], references: list[str], test: bool = False) -> str:
    lines = ['<Project Sdk="Microsoft.NET.Sdk">', "  <PropertyGroup>", "    <TargetFramework>net8.0</TargetFramework>",
             "    <ImplicitUsings>enable</ImplicitUsings>", "    <Nullable>enable</Nullable>"]
    if lambda_project:
        lines += ["    <GenerateRuntimeConfigurationFiles>true</GenerateRuntimeConfigurationFiles>",
                  "    <AWSProjectType>Lambda</AWSProjectType>",
                  "    <CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies>",
                  "    <PublishReadyToRun>true</PublishReadyToRun>"]
    if test:
        lines += ["    <IsPackable>false</IsPackable>", "    <IsTestProject>true</IsTestProject>"]
    lines.append("  </PropertyGroup>")
    if packages:
        lines.append("  <ItemGroup>")
        lines += [f'    <PackageReference Include="{name}" Version="{version}" />' for name, version in packages]
        lines.append("  </ItemGroup>")
    if references:
        lines.append("  <ItemGroup>")
        lines += [f'    <ProjectReference Include="{ref}" />' for ref in references]
        lines.append("  </ItemGroup>")
    lines.append("</Project>")
    return "\n".join(lines) + "\n"


def _write_library(writer: _Writer, library: str, files: int, rng: random.Random) -> None:
    writer.text(f"libs/{library}/{library}.csproj", _csproj(False, [("Microsoft.Extensions.Logging.Abstractions",
                                                                     "8.0.0")], []))
    for index in range(files):
        _write_library_file(writer, library, str(index), rng)


def _write_library_file(writer: _Writer, library: str, suffix: str, rng: random.Random) -> None:
    noun = rng.choice(NOUNS)
    if rng.random() < 0.5:
        name = f"{noun}Record{suffix}"
        writer.text(f"libs/{library}/Models/{name}.cs", _model(library + ".Models", name, rng))
    else:
        name = f"{noun}Helper{suffix}"
        writer.text(f"libs/{library}/Services/{name}.cs", _service(library + ".Services", name, noun, rng, [])[0])


def _write_lambda_project(writer: _Writer, project: LambdaProject, rng: random.Random) -> None:
    base = f"apps/{project.app}/src/{project.name}"
    references = [f"..\\..\\..\\..\\libs\\{lib}\\{lib}.csproj" for lib in project.libraries]
    packages = [("Amazon.Lambda.Core", "2.5.0"), ("Amazon.Lambda.Serialization.SystemTextJson", "2.4.4"),
                ("Amazon.Lambda.APIGatewayEvents", "2.7.1"), ("Amazon.Lambda.SQSEvents", "2.2.0")]
    writer.text(f"{base}/{project.name}.csproj", _csproj(True, packages, references))
    writer.text(f"{base}/aws-lambda-tools-defaults.json", json.dumps({
        "Information": ["This file provides default values for the deployment wizard inside Visual Studio and the "
                        "AWS Lambda commands added to the .NET Core CLI."],
        "profile": "default", "region": "eu-west-1", "configuration": "Release",
        "function-runtime": "dotnet8", "function-memory-size": 512, "function-timeout": 30}, indent=2) + "\n")
    writer.text(f"{base}/AssemblyInfo.cs", _assembly_info(project.name))
    models: list[str] = []
    services: list[tuple[str, str]] = []           # (class, its first method)
    used: set[str] = set()
    for index in range(project.extra_files):
        noun = rng.choice(NOUNS)
        if index % 2 == 0:
            name = _unique(f"{noun}Model", used)
            models.append(name)
            writer.text(f"{base}/Models/{name}.cs", _model(f"{project.name}.Models", name, rng))
        else:
            name = _unique(f"{noun}Service", used)
            text, first = _service(f"{project.name}.Services", name, noun, rng, models[-1:], project.name)
            services.append((name, first))
            writer.text(f"{base}/Services/{name}.cs", text)
    for handler in project.handlers:
        service = services[rng.randrange(len(services))] if services else None
        writer.text(f"{base}/Handlers/{handler.class_name}.cs", _handler(project, handler, service, rng))


def _write_test_project(writer: _Writer, project: LambdaProject, rng: random.Random) -> None:
    base = f"apps/{project.app}/test/{project.name}.Tests"
    packages = [("Amazon.Lambda.Core", "2.5.0"), ("Amazon.Lambda.TestUtilities", "2.0.0"),
                ("Microsoft.NET.Test.Sdk", "17.9.0"), ("xunit", "2.7.0"), ("xunit.runner.visualstudio", "2.5.7")]
    writer.text(f"{base}/{project.name}.Tests.csproj",
                _csproj(False, packages, [f"..\\..\\src\\{project.name}\\{project.name}.csproj"], test=True))
    writer.text(f"{base}/HandlerTests.cs", _tests(project, rng))


# -- C# text ----------------------------------------------------------------------------------------------------

def _assembly_info(name: str) -> str:
    return ("using System.Runtime.CompilerServices;\nusing Amazon.Lambda.Core;\n\n"
            "// Assembly attribute to enable the Lambda function's JSON input to be converted into a .NET class.\n"
            "[assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]"
            f"\n\n[assembly: InternalsVisibleTo(\"{name}.Tests\")]\n")


def _model(namespace: str, name: str, rng: random.Random) -> str:
    """A JSON-serialized entity with properties, validation and ToString."""
    target = rng.randint(30, 140)
    lines = ["using System;", "using System.Collections.Generic;", "using System.Text.Json.Serialization;", "",
             f"namespace {namespace}", "{", "    /// <summary>", f"    /// {name}: as stored and as returned by the API.",
             "    /// </summary>", f"    public sealed class {name}", "    {"]
    properties: list[tuple[str, str]] = []
    while len(lines) < target - 24:
        prop = f"{rng.choice(NOUNS)}{rng.choice(('Id', 'Name', 'Count', 'Total', 'Status', 'Date', 'Code'))}"
        if any(p == prop for p, _ in properties):
            prop += str(len(properties))
        kind = rng.choice(PROPERTY_TYPES)
        properties.append((prop, kind))
        lines += [f"        [JsonPropertyName(\"{prop[0].lower() + prop[1:]}\")]",
                  f"        public {kind} {prop} {{ get; set; }}{' = string.Empty;' if kind == 'string' else ''}", ""]
    lines += ["        public IList<string> Validate()", "        {", "            var errors = new List<string>();"]
    for prop, kind in properties[:4]:
        if kind == "string":
            lines += [f"            if (string.IsNullOrWhiteSpace({prop}))", "            {",
                      f"                errors.Add(\"{prop} is required\");", "            }"]
        elif kind in ("int", "decimal", "long", "double"):
            lines += [f"            if ({prop} < 0)", "            {",
                      f"                errors.Add(\"{prop} must not be negative\");", "            }"]
    lines += ["            return errors;", "        }", "", "        public override string ToString()", "        {",
              f"            return $\"{name}({', '.join('{' + p + '}' for p, _ in properties[:3])})\";", "        }",
              "    }", "}"]
    return "\n".join(lines) + "\n"


def _service(namespace: str, name: str, noun: str, rng: random.Random, models: list[str],
             project: str | None = None) -> tuple[str, str]:
    """An interface and its implementation, with async methods up to a random length; (text, first method)."""
    target = rng.randint(30, 150)
    model = models[-1] if models else None
    usings = ["using System;", "using System.Collections.Concurrent;", "using System.Threading;",
              "using System.Threading.Tasks;"]
    if model and project:
        usings.append(f"using {project}.Models;")
    item = model or "string"
    methods = []
    lines_needed = target - len(usings) - 14
    number = 0
    while not methods or lines_needed >= 17:
        verb = rng.choice(VERBS)
        method = f"{verb}{noun}{number}Async"
        number += 1
        body = [f"        public async Task<{item}?> {method}(string key, CancellationToken cancellationToken = default)",
                "        {", "            if (string.IsNullOrEmpty(key))", "            {",
                "                throw new ArgumentException(\"key is required\", nameof(key));", "            }",
                "            await Task.Yield();", "            cancellationToken.ThrowIfCancellationRequested();",
                f"            if (_cache.TryGetValue(key, out var cached))", "            {",
                "                return cached;", "            }",
                f"            var created = {('new ' + item + '()') if model else 'key.Trim()'};",
                "            _cache[key] = created;", "            return created;", "        }", ""]
        methods.append((method, body))
        lines_needed -= len(body)
    lines = usings + ["", f"namespace {namespace}", "{", f"    public interface I{name}", "    {"]
    lines += [f"        Task<{item}?> {m}(string key, CancellationToken cancellationToken = default);" for m, _ in methods]
    lines += ["    }", "", f"    public class {name} : I{name}", "    {",
              f"        private readonly ConcurrentDictionary<string, {item}> _cache = new();", ""]
    for _, body in methods:
        lines += body
    lines[-1:] = ["    }", "}"]
    return "\n".join(lines) + "\n", methods[0][0]


def _handler(project: LambdaProject, handler: Handler, service: tuple[str, str] | None, rng: random.Random) -> str:
    ns = project.name
    lines = ["using System;", "using System.Collections.Generic;", "using System.Text.Json;",
             "using System.Threading.Tasks;", "using Amazon.Lambda.APIGatewayEvents;", "using Amazon.Lambda.Core;"]
    if service:
        lines.append(f"using {ns}.Services;")
    lines += ["", f"namespace {ns}.Handlers", "{", f"    public class {handler.class_name}", "    {"]
    if service:
        lines += [f"        private readonly I{service[0]} _service;", "",
                  f"        public {handler.class_name}() : this(new {service[0]}())", "        {", "        }", "",
                  f"        public {handler.class_name}(I{service[0]} service)", "        {",
                  "            _service = service;", "        }", ""]
    for method in handler.methods:
        lines += [f"        public async Task<APIGatewayProxyResponse> {method}(APIGatewayProxyRequest request, "
                  "ILambdaContext context)", "        {",
                  "            context.Logger.LogInformation($\"" + f"{handler.class_name}.{method}" +
                  " {request.HttpMethod} {request.Path}\");",
                  "            if (request.PathParameters == null || !request.PathParameters.TryGetValue(\"id\", "
                  "out var id))", "            {",
                  "                return Respond(400, new { error = \"missing id\" });", "            }"]
        for step in range(rng.randint(1, 6)):
            lines += [f"            var step{step} = id.Length + {step};",
                      f"            context.Logger.LogDebug($\"step {step}: {{step{step}}}\");"]
        lines += ["            await Task.CompletedTask;",
                  (f"            var found = await _service.{service[1]}(id);" if service else
                   "            var found = id;"),
                  "            return found == null ? Respond(404, new { error = \"not found\" }) : Respond(200, found);",
                  "        }", ""]
    lines += ["        private static APIGatewayProxyResponse Respond(int status, object body)", "        {",
              "            return new APIGatewayProxyResponse", "            {", "                StatusCode = status,",
              "                Body = JsonSerializer.Serialize(body),",
              "                Headers = new Dictionary<string, string> { { \"Content-Type\", \"application/json\" } }",
              "            };", "        }", "    }", "}"]
    return "\n".join(lines) + "\n"


def _tests(project: LambdaProject, rng: random.Random) -> str:
    lines = ["using System.Collections.Generic;", "using System.Threading.Tasks;", "using Amazon.Lambda.APIGatewayEvents;",
             "using Amazon.Lambda.TestUtilities;", f"using {project.name}.Handlers;", "using Xunit;", "",
             f"namespace {project.name}.Tests", "{", "    public class HandlerTests", "    {"]
    for handler in project.handlers[:rng.randint(2, 5)]:
        method = handler.methods[0]
        lines += ["        [Fact]", f"        public async Task {handler.class_name}RejectsMissingId()", "        {",
                  f"            var handler = new {handler.class_name}();",
                  f"            var response = await handler.{method}(new APIGatewayProxyRequest "
                  "{ PathParameters = new Dictionary<string, string>() }, new TestLambdaContext());",
                  "            Assert.Equal(400, response.StatusCode);", "        }", ""]
    lines[-1:] = ["    }", "}"]
    return "\n".join(lines) + "\n"


# -- templates ----------------------------------------------------------------------------------------------------

def _events(function: Function, project: LambdaProject) -> dict:
    path = "/" + project.name.lower().replace(".", "/") + "/" + function.logical_id.lower()
    if function.kind == "api":
        return {"Api": {"Type": "Api", "Properties": {"Path": path, "Method": "post"}}}
    if function.kind == "sqs":
        return {"Queue": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["WorkQueue", "Arn"]},
                                                         "BatchSize": 10}}}
    return {"Schedule": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}}}


def _resources(app: str, members: list[LambdaProject], rng: random.Random) -> dict:
    resources: dict = {}
    for project in members:
        for function in project.functions:
            properties = {"Handler": function.handler, "CodeUri": f"src/{project.name}/"}
            if function.architecture == "arm64" or rng.random() < 0.5:
                properties["Architectures"] = [function.architecture]
            properties.update({"MemorySize": rng.choice((256, 512, 1024)), "Timeout": rng.choice((15, 30, 60)),
                               "Policies": ["AWSLambdaBasicExecutionRole",
                                            {"DynamoDBCrudPolicy": {"TableName": {"Ref": "DataTable"}}}],
                               "Environment": {"Variables": {"TABLE_NAME": {"Ref": "DataTable"},
                                                             "STAGE": {"Ref": "Stage"}}},
                               "Events": _events(function, project)})
            resources[function.logical_id] = {"Type": "AWS::Serverless::Function", "Properties": properties}
    resources["WorkQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 720}}
    resources["DataTable"] = {"Type": "AWS::Serverless::SimpleTable",
                              "Properties": {"PrimaryKey": {"Name": "id", "Type": "String"}}}
    return resources


def _template_document(app: str, members: list[LambdaProject], rng: random.Random) -> dict:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": f"{app}: APIs, workers and scheduled jobs.",
        "Parameters": {"Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}},
        "Globals": {"Function": {"Runtime": "dotnet8", "Tracing": "Active"}},
        "Resources": _resources(app, members, rng),
        "Outputs": {"QueueUrl": {"Value": {"Ref": "WorkQueue"}}},
    }


def _write_template(writer: _Writer, app: str, members: list[LambdaProject], fmt: str, rng: random.Random) -> None:
    document = _template_document(app, members, rng)
    name = "serverless.template" if fmt == "json" else "template.yaml"
    writer.text(f"apps/{app}/{name}", json.dumps(document, indent=2) + "\n" if fmt == "json" else _yaml(document))
    writer.text(f"apps/{app}/aws-lambda-tools-defaults.json", json.dumps({
        "profile": "default", "region": "eu-west-1", "configuration": "Release", "s3-prefix": f"{app}/",
        "template": name, "stack-name": app.lower()}, indent=2) + "\n")


def _yaml(value, indent: int = 0) -> str:
    """Block-style YAML as people write SAM templates: short tags for intrinsics, flow lists for Architectures."""
    pad = " " * indent
    out = []
    for key, item in value.items():
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in ("Ref", "Fn::GetAtt"):
            (name, arg), = item.items()
            text = f"!Ref {arg}" if name == "Ref" else f"!GetAtt {'.'.join(arg)}"
            out.append(f"{pad}{key}: {text}\n")
        elif isinstance(item, dict):
            out.append(f"{pad}{key}:\n{_yaml(item, indent + 2)}")
        elif isinstance(item, list) and key == "Architectures":
            out.append(f"{pad}{key}: [{', '.join(item)}]\n")
        elif isinstance(item, list):
            out.append(f"{pad}{key}:\n")
            for element in item:
                if isinstance(element, dict):
                    body = _yaml(element, indent + 4)
                    out.append(f"{pad}  - {body.lstrip()}")
                else:
                    out.append(f"{pad}  - {_yaml_scalar(element)}\n")
        else:
            out.append(f"{pad}{key}: {_yaml_scalar(item)}\n")
    return "".join(out)


def _yaml_scalar(value) -> str:
    if isinstance(value, str) and (":" in value or value in ("dev", "prod") or value.startswith(("/", "*"))):
        return f"'{value}'" if "::" not in value else f'"{value}"'
    return str(value)


# -- solution -----------------------------------------------------------------------------------------------------

def _guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"benchmark:{name}")).upper()


def _solution(libraries: list[str], apps: dict[str, list[LambdaProject]], tests: bool = True) -> str:
    entries: list[tuple[str, str, str]] = [(lib, f"libs\\{lib}\\{lib}.csproj", "libs") for lib in libraries]
    for app, members in apps.items():
        for project in members:
            entries.append((project.name, f"apps\\{app}\\src\\{project.name}\\{project.name}.csproj", app))
            if tests:
                entries.append((f"{project.name}.Tests",
                                f"apps\\{app}\\test\\{project.name}.Tests\\{project.name}.Tests.csproj", app))
    lines = ["", "Microsoft Visual Studio Solution File, Format Version 12.00", "# Visual Studio Version 17",
             "VisualStudioVersion = 17.8.34330.188", "MinimumVisualStudioVersion = 10.0.40219.1"]
    for name, path, _ in entries:
        lines += [f'Project("{{{SDK_PROJECT}}}") = "{name}", "{path}", "{{{_guid(name)}}}"', "EndProject"]
    folders = ["libs", *apps]
    for folder in folders:
        lines += [f'Project("{{{SOLUTION_FOLDER}}}") = "{folder}", "{folder}", "{{{_guid("folder:" + folder)}}}"',
                  "EndProject"]
    lines += ["Global", "\tGlobalSection(SolutionConfigurationPlatforms) = preSolution",
              "\t\tDebug|Any CPU = Debug|Any CPU", "\t\tRelease|Any CPU = Release|Any CPU", "\tEndGlobalSection",
              "\tGlobalSection(ProjectConfigurationPlatforms) = postSolution"]
    for name, _, _ in entries:
        for config in ("Debug", "Release"):
            lines += [f"\t\t{{{_guid(name)}}}.{config}|Any CPU.ActiveCfg = {config}|Any CPU",
                      f"\t\t{{{_guid(name)}}}.{config}|Any CPU.Build.0 = {config}|Any CPU"]
    lines += ["\tEndGlobalSection", "\tGlobalSection(NestedProjects) = preSolution"]
    lines += [f"\t\t{{{_guid(name)}}} = {{{_guid('folder:' + folder)}}}" for name, _, folder in entries]
    lines += ["\tEndGlobalSection", "EndGlobal"]
    return "\r\n".join(lines) + "\r\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--functions", type=int, default=400)
    parser.add_argument("--files", type=int, default=2000, help="C# files in total")
    parser.add_argument("--format", dest="fmt", choices=("json", "yaml"), default="json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shape", choices=("monorepo", "project"), default="monorepo")
    args = parser.parse_args(argv)
    try:
        summary = generate(args.out, args.functions, args.files, args.fmt, args.seed, args.shape)
    except ValueError as error:
        print(f"generate: {error}", file=sys.stderr)
        return 2
    print(f"{summary.root}: {summary.functions} functions ({summary.arm64_functions} arm64), {summary.cs_files} C# "
          f"files, {summary.projects} Lambda projects ({summary.mixed_projects} mixed) in {summary.templates} "
          "templates", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
