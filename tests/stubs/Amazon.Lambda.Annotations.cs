// Compile-time stand-in for the Amazon.Lambda.Annotations package: real names and signatures, no behaviour.
// The source generator that turns these attributes into handlers does not run under mcs.
// stub-packages: Amazon.Lambda.Annotations
using System;
using System.IO;
using System.Net;

namespace Amazon.Lambda.Annotations
{
    public enum LambdaPackageType { Zip = 0, Image = 1 }

    [AttributeUsage(AttributeTargets.Method)]
    public class LambdaFunctionAttribute : Attribute
    {
        public string ResourceName { get; set; }
        public uint Timeout { get; set; }
        public uint MemorySize { get; set; }
        public string Role { get; set; }
        public string Policies { get; set; }
        public LambdaPackageType PackageType { get; set; }
    }

    [AttributeUsage(AttributeTargets.Class)]
    public class LambdaStartupAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Assembly)]
    public class LambdaGlobalPropertiesAttribute : Attribute
    {
        public bool GenerateMain { get; set; }
        public string Runtime { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public class FromServicesAttribute : Attribute
    {
    }

    public interface INamedAttribute
    {
        string Name { get; set; }
    }
}

namespace Amazon.Lambda.Annotations.APIGateway
{
    public enum LambdaHttpMethod { Any, Get, Post, Put, Patch, Head, Delete, Options }

    public enum HttpApiVersion { V1, V2 }

    [AttributeUsage(AttributeTargets.Method)]
    public class HttpApiAttribute : Attribute
    {
        public HttpApiAttribute(LambdaHttpMethod method, string template) { }
        public HttpApiVersion Version { get; set; }
        public string Template { get; set; }
        public LambdaHttpMethod Method { get; set; }
        public string Authorizer { get; set; }
    }

    [AttributeUsage(AttributeTargets.Method)]
    public class RestApiAttribute : Attribute
    {
        public RestApiAttribute(LambdaHttpMethod method, string template) { }
        public string Template { get; set; }
        public LambdaHttpMethod Method { get; set; }
        public string Authorizer { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public class FromBodyAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public class FromQueryAttribute : Attribute, Amazon.Lambda.Annotations.INamedAttribute
    {
        public string Name { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public class FromRouteAttribute : Attribute, Amazon.Lambda.Annotations.INamedAttribute
    {
        public string Name { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public class FromHeaderAttribute : Attribute, Amazon.Lambda.Annotations.INamedAttribute
    {
        public string Name { get; set; }
    }

    public class HttpResultSerializationOptions
    {
        public enum ProtocolFormat { RestApi, HttpApi }
        public enum ProtocolVersion { V1, V2 }
        public ProtocolFormat Format { get; set; }
        public ProtocolVersion Version { get; set; }
    }

    public interface IHttpResult
    {
        Stream Serialize(HttpResultSerializationOptions options);
        IHttpResult AddHeader(string name, string value);
    }

    public class HttpResults : IHttpResult
    {
        private HttpResults() { }
        public IHttpResult AddHeader(string name, string value) { throw null; }
        public Stream Serialize(HttpResultSerializationOptions options) { throw null; }
        public static IHttpResult Accepted(object body = null) { throw null; }
        public static IHttpResult BadGateway() { throw null; }
        public static IHttpResult BadRequest(object body = null) { throw null; }
        public static IHttpResult Conflict(object body = null) { throw null; }
        public static IHttpResult Created(string uri = null, object body = null) { throw null; }
        public static IHttpResult Forbid(object body = null) { throw null; }
        public static IHttpResult InternalServerError(object body = null) { throw null; }
        public static IHttpResult NotFound(object body = null) { throw null; }
        public static IHttpResult Ok(object body = null) { throw null; }
        public static IHttpResult Redirect(string uri, bool permanent = false, bool preserveMethod = false) { throw null; }
        public static IHttpResult ServiceUnavailable(int? delaySeconds = null) { throw null; }
        public static IHttpResult Unauthorized() { throw null; }
        public static IHttpResult NewResult(HttpStatusCode statusCode, object body = null) { throw null; }
    }
}

namespace Amazon.Lambda.Annotations.SQS
{
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public class SQSEventAttribute : Attribute
    {
        public SQSEventAttribute(string queue) { }
        public string Queue { get; set; }
        public string ResourceName { get; set; }
        public bool Enabled { get; set; }
        public uint BatchSize { get; set; }
        public uint MaximumBatchingWindowInSeconds { get; set; }
        public string Filters { get; set; }
        public uint MaximumConcurrency { get; set; }
    }
}
