// Compile-time stand-in for the Amazon.Lambda.Core package: real names and signatures, no behaviour.
// stub-packages: Amazon.Lambda.Core
using System;
using System.Collections.Generic;
using System.IO;

namespace Amazon.Lambda.Core
{
    public interface ILambdaContext
    {
        string AwsRequestId { get; }
        IClientContext ClientContext { get; }
        string FunctionName { get; }
        string FunctionVersion { get; }
        ICognitoIdentity Identity { get; }
        string InvokedFunctionArn { get; }
        ILambdaLogger Logger { get; }
        string LogGroupName { get; }
        string LogStreamName { get; }
        int MemoryLimitInMB { get; }
        TimeSpan RemainingTime { get; }
    }

    public interface IClientContext
    {
        IDictionary<string, string> Environment { get; }
        IClientApplication Client { get; }
        IDictionary<string, string> Custom { get; }
    }

    public interface IClientApplication
    {
        string AppPackageName { get; }
        string AppTitle { get; }
        string AppVersionCode { get; }
        string AppVersionName { get; }
        string InstallationId { get; }
    }

    public interface ICognitoIdentity
    {
        string IdentityId { get; }
        string IdentityPoolId { get; }
    }

    public enum LogLevel
    {
        Trace = 0,
        Debug = 1,
        Information = 2,
        Warning = 3,
        Error = 4,
        Critical = 5,
    }

    public interface ILambdaLogger
    {
        void Log(string message);
        void LogLine(string message);
    }

    // The real ILambdaLogger declares these as default interface members (C# 8), which mcs cannot
    // compile; as extension methods they accept the same calls and implementers still only write Log/LogLine.
    public static class LambdaLoggerDefaultInterfaceMembers
    {
        public static void Log(this ILambdaLogger logger, string level, string message) { throw null; }
        public static void Log(this ILambdaLogger logger, LogLevel level, string message) { throw null; }
        public static void Log(this ILambdaLogger logger, string level, string message, params object[] args) { throw null; }
        public static void Log(this ILambdaLogger logger, LogLevel level, string message, params object[] args) { throw null; }
        public static void Log(this ILambdaLogger logger, LogLevel level, Exception exception, string message, params object[] args) { throw null; }
        public static void LogTrace(this ILambdaLogger logger, string message) { throw null; }
        public static void LogTrace(this ILambdaLogger logger, string message, params object[] args) { throw null; }
        public static void LogTrace(this ILambdaLogger logger, Exception exception, string message, params object[] args) { throw null; }
        public static void LogDebug(this ILambdaLogger logger, string message) { throw null; }
        public static void LogDebug(this ILambdaLogger logger, string message, params object[] args) { throw null; }
        public static void LogDebug(this ILambdaLogger logger, Exception exception, string message, params object[] args) { throw null; }
        public static void LogInformation(this ILambdaLogger logger, string message) { throw null; }
        public static void LogInformation(this ILambdaLogger logger, string message, params object[] args) { throw null; }
        public static void LogInformation(this ILambdaLogger logger, Exception exception, string message, params object[] args) { throw null; }
        public static void LogWarning(this ILambdaLogger logger, string message) { throw null; }
        public static void LogWarning(this ILambdaLogger logger, string message, params object[] args) { throw null; }
        public static void LogWarning(this ILambdaLogger logger, Exception exception, string message, params object[] args) { throw null; }
        public static void LogError(this ILambdaLogger logger, string message) { throw null; }
        public static void LogError(this ILambdaLogger logger, string message, params object[] args) { throw null; }
        public static void LogError(this ILambdaLogger logger, Exception exception, string message, params object[] args) { throw null; }
        public static void LogCritical(this ILambdaLogger logger, string message) { throw null; }
        public static void LogCritical(this ILambdaLogger logger, string message, params object[] args) { throw null; }
        public static void LogCritical(this ILambdaLogger logger, Exception exception, string message, params object[] args) { throw null; }
    }

    public static class LambdaLoggerExtensions
    {
        public static void Trace(this ILambdaLogger logger, string format, params object[] args) { throw null; }
        public static void Debug(this ILambdaLogger logger, string format, params object[] args) { throw null; }
        public static void Info(this ILambdaLogger logger, string format, params object[] args) { throw null; }
        public static void Warning(this ILambdaLogger logger, string format, params object[] args) { throw null; }
        public static void Error(this ILambdaLogger logger, string format, params object[] args) { throw null; }
        public static void Error(this ILambdaLogger logger, Exception exception, string format, params object[] args) { throw null; }
        public static void Critical(this ILambdaLogger logger, string format, params object[] args) { throw null; }
        public static void Critical(this ILambdaLogger logger, Exception exception, string format, params object[] args) { throw null; }
    }

    public static class LambdaLogger
    {
        public static void Log(string message) { throw null; }
        public static void Log(string level, string message) { throw null; }
        public static void Log(LogLevel level, string message) { throw null; }
        public static void Log(string level, string message, params object[] args) { throw null; }
        public static void Log(LogLevel level, string message, params object[] args) { throw null; }
        public static void Log(LogLevel level, Exception exception, string message, params object[] args) { throw null; }
    }

    public interface ILambdaSerializer
    {
        T Deserialize<T>(Stream requestStream);
        void Serialize<T>(T response, Stream responseStream);
    }

    [AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Method)]
    public sealed class LambdaSerializerAttribute : Attribute
    {
        public LambdaSerializerAttribute(Type serializerType) { }
        public Type SerializerType { get; set; }
    }

    public static class SnapshotRestore
    {
        public static void RegisterBeforeSnapshot(Func<System.Threading.Tasks.ValueTask> beforeSnapshot) { throw null; }
        public static void RegisterAfterRestore(Func<System.Threading.Tasks.ValueTask> afterRestore) { throw null; }
    }
}
