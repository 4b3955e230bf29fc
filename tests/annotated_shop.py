"""The annotated `Shop` solution (an Amazon.Lambda.Annotations project serving functions of both architectures) that
the annotation tests of tests/commands and tests/trees build their cases on."""

from __future__ import annotations

import json
from pathlib import Path

from builders import NET8, csproj
from support import write_tree

CSPROJ = csproj({**NET8, "GenerateRuntimeConfigurationFiles": "true", "AWSProjectType": "Lambda", "PublishReadyToRun": "true"},
                {"Amazon.Lambda.Annotations": "1.7.0", "Amazon.Lambda.Core": "2.5.0",
                 "Amazon.Lambda.Serialization.SystemTextJson": "2.4.4", "Microsoft.Extensions.DependencyInjection": "8.0.0"},
                extra_properties="{extra}")   # a str.format template: {extra} adds properties

USINGS = """using System;
using Amazon.Lambda.Annotations;
using Amazon.Lambda.Core;
"""

SERIALIZER = """using Amazon.Lambda.Core;

[assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]
"""

FUNCTIONS = USINGS + """
namespace Shop
{
    public class Functions
    {
        private const int Limit = 10;
        private readonly IClock _clock;
        private readonly string _region;

        public Functions(IClock clock)
        {
            _clock = clock;
            _region = "eu-west-1";
        }

        [LambdaFunction]
        public string Ping()
        {
            return Stamp("pong");
        }

        [LambdaFunction]
        public int Count(int value)
        {
            return Math.Min(value, Limit);
        }

        [LambdaFunction]
        public string Where()
        {
            return Stamp(_region);
        }

        private string Stamp(string text)
        {
            return text + " at " + _clock.Now();
        }

        public static string Unused()
        {
            return "kept";
        }
    }
}
"""

CLOCK = """namespace Shop
{
    public interface IClock
    {
        string Now();
    }

    internal class Clock : IClock
    {
        public string Now()
        {
            return "now";
        }
    }
}
"""

STARTUP = """using Amazon.Lambda.Annotations;
using Microsoft.Extensions.DependencyInjection;

namespace Shop
{
    [LambdaStartup]
    public class Startup
    {
        public void ConfigureServices(IServiceCollection services)
        {
            services.AddSingleton<IClock, Clock>();
        }
    }
}
"""


def function(method: str, architecture: str | None, cls: str = "Shop.Functions", **properties) -> tuple[str, dict]:
    logical_id = cls.replace(".", "") + method + "Generated"
    props = {"Architectures": [architecture]} if architecture else {}
    props.update({"Runtime": "dotnet8", "CodeUri": ".", "MemorySize": 512, "Timeout": 30,
                  "Policies": ["AWSLambdaBasicExecutionRole"], "PackageType": "Zip",
                  "Handler": f"Shop::{cls}_{method}_Generated::{method}"})
    props.update(properties)
    return logical_id, {"Type": "AWS::Serverless::Function", "Metadata": {"Tool": "Amazon.Lambda.Annotations"},
                        "Properties": props}


def template(*resources: tuple[str, dict], **sections) -> str:
    document = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
                "Description": "Shop. This template is partially managed by Amazon.Lambda.Annotations (v1.7.0.0).",
                **{k: v for k, v in sections.items() if k in ("Parameters", "Globals")},
                "Resources": dict(resources)}
    if "Outputs" in sections:
        document["Outputs"] = sections["Outputs"]
    return json.dumps(document, indent=2)


def defaults(**extra) -> str:
    data = {"profile": "default", "region": "eu-west-1", "configuration": "Release", "s3-prefix": "Shop/",
            "template": "serverless.template", "template-parameters": "", **extra}
    return json.dumps(data, indent=2)


MIXED = (function("Ping", None), function("Count", "arm64"), function("Where", "arm64"))


def shop(tmp_path: Path, files: dict[str, str] | None = None, resources=MIXED, csproj_extra: str = "",
         **sections) -> Path:
    tree = {
        "src/Shop/Shop.csproj": CSPROJ.format(extra=csproj_extra),
        "src/Shop/AssemblyInfo.cs": SERIALIZER,
        "src/Shop/Functions.cs": FUNCTIONS,
        "src/Shop/Clock.cs": CLOCK,
        "src/Shop/Startup.cs": STARTUP,
        "src/Shop/serverless.template": template(*resources, **sections),
        "src/Shop/aws-lambda-tools-defaults.json": defaults(**{"stack-name": "shop"}),
    }
    tree.update(files or {})
    return write_tree(tmp_path, {k: v for k, v in tree.items() if v is not None})
