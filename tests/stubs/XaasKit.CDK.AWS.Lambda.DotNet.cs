// Compile-time stand-in for the .NET Lambda construct package (DotNetFunction builds a project folder with
// `dotnet lambda package` for the function's own architecture): real names and signatures, no behaviour.
// stub-packages: XaasKit.CDK.AWS.Lambda.DotNet
// stub-references: Amazon.CDK.Lib
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;

namespace XaasKit.CDK.AWS.Lambda.DotNet
{
    public class DotNetFunctionProps : FunctionProps
    {
        public string ProjectDir { get; set; }
        public string SolutionDir { get; set; }
    }

    public class DotNetFunction : Function
    {
        public DotNetFunction(Construct scope, string id, DotNetFunctionProps props) : base(scope, id, props) { }
    }
}
