// Compile-time stand-in for the Amazon.Lambda.TestUtilities package: real names and signatures, no behaviour.
// stub-packages: Amazon.Lambda.TestUtilities
// stub-references: Amazon.Lambda.Core
using System;
using System.Collections.Generic;
using System.Text;
using Amazon.Lambda.Core;

namespace Amazon.Lambda.TestUtilities
{
    public class TestLambdaContext : ILambdaContext
    {
        public string AwsRequestId { get; set; }
        public IClientContext ClientContext { get; set; }
        public string FunctionName { get; set; }
        public string FunctionVersion { get; set; }
        public ICognitoIdentity Identity { get; set; }
        public string InvokedFunctionArn { get; set; }
        public ILambdaLogger Logger { get; set; }
        public string LogGroupName { get; set; }
        public string LogStreamName { get; set; }
        public int MemoryLimitInMB { get; set; }
        public TimeSpan RemainingTime { get; set; }
    }

    public class TestLambdaLogger : ILambdaLogger
    {
        public StringBuilder Buffer { get { throw null; } }
        public void Log(string message) { throw null; }
        public void LogLine(string message) { throw null; }
    }

    public class TestClientContext : IClientContext
    {
        public IDictionary<string, string> Environment { get { throw null; } }
        public IClientApplication Client { get; set; }
        public IDictionary<string, string> Custom { get { throw null; } }
    }

    public class TestClientApplication : IClientApplication
    {
        public string AppPackageName { get; set; }
        public string AppTitle { get; set; }
        public string AppVersionCode { get; set; }
        public string AppVersionName { get; set; }
        public string InstallationId { get; set; }
    }

    public class TestCognitoIdentity : ICognitoIdentity
    {
        public string IdentityId { get; set; }
        public string IdentityPoolId { get; set; }
    }
}
