// Compile-time stand-in for the AWS CDK v2 packages a C# CDK app references: real names and signatures of the
// constructs the fixtures use, no behaviour.
// stub-packages: Amazon.CDK.Lib, Constructs
using System;
using System.Collections.Generic;

namespace Constructs
{
    public interface IConstruct
    {
    }

    public class Construct : IConstruct
    {
        public Construct(Construct scope, string id)
        {
        }
    }
}

namespace Amazon.CDK
{
    using Constructs;

    public interface IEnvironment
    {
        string Account { get; set; }
        string Region { get; set; }
    }

    public class Environment : IEnvironment
    {
        public string Account { get; set; }
        public string Region { get; set; }
    }

    public interface IStackProps
    {
        IEnvironment Env { get; set; }
    }

    public class StackProps : IStackProps
    {
        public IEnvironment Env { get; set; }
        public string Description { get; set; }
    }

    public class App : Construct
    {
        public App() : base(null, "") { }

        public object Synth() { return null; }
    }

    public class Stack : Construct
    {
        public Stack(Construct scope, string id, IStackProps props = null) : base(scope, id) { }
    }

    public class Duration
    {
        public static Duration Seconds(double amount) { return new Duration(); }
        public static Duration Minutes(double amount) { return new Duration(); }
    }

    public class DockerImage
    {
        public static DockerImage FromRegistry(string image) { return new DockerImage(); }
    }

    public enum BundlingOutput
    {
        ARCHIVED,
        NOT_ARCHIVED,
        AUTO_DISCOVER,
        SINGLE_FILE
    }

    public interface IBundlingOptions
    {
        DockerImage Image { get; set; }
        string[] Command { get; set; }
    }

    public class BundlingOptions : IBundlingOptions
    {
        public DockerImage Image { get; set; }
        public string[] Command { get; set; }
        public string User { get; set; }
        public string WorkingDirectory { get; set; }
        public BundlingOutput? OutputType { get; set; }
        public IDictionary<string, string> Environment { get; set; }
    }
}

namespace Amazon.CDK.AWS.S3.Assets
{
    public interface IAssetOptions
    {
        Amazon.CDK.IBundlingOptions Bundling { get; set; }
    }

    public class AssetOptions : IAssetOptions
    {
        public Amazon.CDK.IBundlingOptions Bundling { get; set; }
        public string[] Exclude { get; set; }
    }
}

namespace Amazon.CDK.AWS.Lambda
{
    using Amazon.CDK;
    using Amazon.CDK.AWS.S3.Assets;
    using Constructs;

    public class Runtime
    {
        public static readonly Runtime DOTNET_6 = new Runtime("dotnet6");
        public static readonly Runtime DOTNET_8 = new Runtime("dotnet8");
        public static readonly Runtime PROVIDED_AL2023 = new Runtime("provided.al2023");
        public static readonly Runtime PYTHON_3_12 = new Runtime("python3.12");

        public Runtime(string name) { Name = name; }

        public string Name { get; private set; }
        public DockerImage BundlingImage { get { return new DockerImage(); } }
    }

    public class Architecture
    {
        public static readonly Architecture ARM_64 = new Architecture("arm64");
        public static readonly Architecture X86_64 = new Architecture("x86_64");

        private Architecture(string name) { Name = name; }

        public string Name { get; private set; }
    }

    public abstract class Code
    {
        public static AssetCode FromAsset(string path, IAssetOptions options = null)
        {
            return new AssetCode(path, options);
        }
        public static Code FromInline(string code) { return null; }
    }

    public class AssetCode : Code
    {
        public AssetCode(string path, IAssetOptions options = null) { }
    }

    public interface IFunctionProps
    {
        Runtime Runtime { get; set; }
        string Handler { get; set; }
        Code Code { get; set; }
    }

    public class FunctionProps : IFunctionProps
    {
        public Runtime Runtime { get; set; }
        public string Handler { get; set; }
        public Code Code { get; set; }
        public Architecture Architecture { get; set; }
        public double? MemorySize { get; set; }
        public Duration Timeout { get; set; }
        public IDictionary<string, string> Environment { get; set; }
    }

    public class Function : Construct
    {
        public Function(Construct scope, string id, IFunctionProps props) : base(scope, id) { }
    }
}
