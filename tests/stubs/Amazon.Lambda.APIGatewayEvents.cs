// Compile-time stand-in for the Amazon.Lambda.APIGatewayEvents package: real names and signatures, no behaviour.
// stub-packages: Amazon.Lambda.APIGatewayEvents
using System;
using System.Collections.Generic;

namespace Amazon.Lambda.APIGatewayEvents
{
    public class APIGatewayProxyRequest
    {
        public string Resource { get; set; }
        public string Path { get; set; }
        public string HttpMethod { get; set; }
        public IDictionary<string, string> Headers { get; set; }
        public IDictionary<string, IList<string>> MultiValueHeaders { get; set; }
        public IDictionary<string, string> QueryStringParameters { get; set; }
        public IDictionary<string, IList<string>> MultiValueQueryStringParameters { get; set; }
        public IDictionary<string, string> PathParameters { get; set; }
        public IDictionary<string, string> StageVariables { get; set; }
        public ProxyRequestContext RequestContext { get; set; }
        public string Body { get; set; }
        public bool IsBase64Encoded { get; set; }

        public class ProxyRequestContext
        {
            public string Path { get; set; }
            public string AccountId { get; set; }
            public string ResourceId { get; set; }
            public string Stage { get; set; }
            public string RequestId { get; set; }
            public RequestIdentity Identity { get; set; }
            public string ResourcePath { get; set; }
            public string HttpMethod { get; set; }
            public string ApiId { get; set; }
            public string ExtendedRequestId { get; set; }
            public string ConnectionId { get; set; }
            public long ConnectedAt { get; set; }
            public string DomainName { get; set; }
            public string DomainPrefix { get; set; }
            public string EventType { get; set; }
            public string MessageId { get; set; }
            public string RouteKey { get; set; }
            public APIGatewayCustomAuthorizerContext Authorizer { get; set; }
            public string OperationName { get; set; }
            public string Error { get; set; }
            public string IntegrationLatency { get; set; }
            public string MessageDirection { get; set; }
            public string RequestTime { get; set; }
            public long RequestTimeEpoch { get; set; }
            public string Status { get; set; }
        }

        public class RequestIdentity
        {
            public string CognitoIdentityPoolId { get; set; }
            public string AccountId { get; set; }
            public string CognitoIdentityId { get; set; }
            public string Caller { get; set; }
            public string ApiKey { get; set; }
            public string ApiKeyId { get; set; }
            public string AccessKey { get; set; }
            public string SourceIp { get; set; }
            public string CognitoAuthenticationType { get; set; }
            public string CognitoAuthenticationProvider { get; set; }
            public string UserArn { get; set; }
            public string UserAgent { get; set; }
            public string User { get; set; }
        }
    }

    public class APIGatewayCustomAuthorizerContext : Dictionary<string, object>
    {
        public string PrincipalId { get; set; }
        public string StringKey { get; set; }
        public int? NumKey { get; set; }
        public bool? BoolKey { get; set; }
        public Dictionary<string, string> Claims { get; set; }
    }

    public class APIGatewayProxyResponse
    {
        public int StatusCode { get; set; }
        public IDictionary<string, string> Headers { get; set; }
        public IDictionary<string, IList<string>> MultiValueHeaders { get; set; }
        public string Body { get; set; }
        public bool IsBase64Encoded { get; set; }
    }

    public class APIGatewayHttpApiV2ProxyRequest
    {
        public string Version { get; set; }
        public string RouteKey { get; set; }
        public string RawPath { get; set; }
        public string RawQueryString { get; set; }
        public string[] Cookies { get; set; }
        public IDictionary<string, string> Headers { get; set; }
        public IDictionary<string, string> QueryStringParameters { get; set; }
        public ProxyRequestContext RequestContext { get; set; }
        public string Body { get; set; }
        public IDictionary<string, string> PathParameters { get; set; }
        public bool IsBase64Encoded { get; set; }
        public IDictionary<string, string> StageVariables { get; set; }

        public class ProxyRequestContext
        {
            public string AccountId { get; set; }
            public string ApiId { get; set; }
            public AuthorizerDescription Authorizer { get; set; }
            public string DomainName { get; set; }
            public string DomainPrefix { get; set; }
            public HttpDescription Http { get; set; }
            public string RequestId { get; set; }
            public string RouteId { get; set; }
            public string RouteKey { get; set; }
            public string Stage { get; set; }
            public string Time { get; set; }
            public long TimeEpoch { get; set; }
        }

        public class HttpDescription
        {
            public string Method { get; set; }
            public string Path { get; set; }
            public string Protocol { get; set; }
            public string SourceIp { get; set; }
            public string UserAgent { get; set; }
        }

        public class AuthorizerDescription
        {
            public JwtDescription Jwt { get; set; }
            public IDictionary<string, object> Lambda { get; set; }

            public class JwtDescription
            {
                public IDictionary<string, string> Claims { get; set; }
                public string[] Scopes { get; set; }
            }
        }
    }

    public class APIGatewayHttpApiV2ProxyResponse
    {
        public int StatusCode { get; set; }
        public IDictionary<string, string> Headers { get; set; }
        public void SetHeaderValues(string headerName, string value, bool append) { throw null; }
        public void SetHeaderValues(string headerName, IEnumerable<string> values, bool append) { throw null; }
        public string[] Cookies { get; set; }
        public string Body { get; set; }
        public bool IsBase64Encoded { get; set; }
    }
}
