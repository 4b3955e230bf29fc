// Compile-time stand-in for the Amazon.Lambda.Serialization.SystemTextJson package: real names and signatures, no behaviour.
// stub-packages: Amazon.Lambda.Serialization.SystemTextJson
// stub-references: Amazon.Lambda.Core, System.Text.Json
using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Lambda.Core;

namespace Amazon.Lambda.Serialization.SystemTextJson
{
    public abstract class AbstractLambdaJsonSerializer
    {
        protected AbstractLambdaJsonSerializer() { }
        public T Deserialize<T>(Stream requestStream) { throw null; }
        public void Serialize<T>(T response, Stream responseStream) { throw null; }
    }

    public class DefaultLambdaJsonSerializer : AbstractLambdaJsonSerializer, ILambdaSerializer
    {
        public DefaultLambdaJsonSerializer() { }
        public DefaultLambdaJsonSerializer(Action<JsonSerializerOptions> customizer) { }
        protected JsonSerializerOptions SerializerOptions { get { throw null; } }
    }

    public class CamelCaseLambdaJsonSerializer : DefaultLambdaJsonSerializer
    {
        public CamelCaseLambdaJsonSerializer() { }
        public CamelCaseLambdaJsonSerializer(Action<JsonSerializerOptions> customizer) { }
    }

    public class SourceGeneratorLambdaJsonSerializer<TSGContext> : AbstractLambdaJsonSerializer, ILambdaSerializer
        where TSGContext : JsonSerializerContext
    {
        public SourceGeneratorLambdaJsonSerializer() { }
        public SourceGeneratorLambdaJsonSerializer(Action<JsonSerializerOptions> customizer) { }
    }

    [Obsolete("Use DefaultLambdaJsonSerializer instead.")]
    public class LambdaJsonSerializer : ILambdaSerializer
    {
        public LambdaJsonSerializer() { }
        public T Deserialize<T>(Stream requestStream) { throw null; }
        public void Serialize<T>(T response, Stream responseStream) { throw null; }
    }
}
