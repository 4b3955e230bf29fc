// Compile-time stand-in for the System.Text.Json part of the .NET shared framework, which Mono's profile lacks.
// Referenced by every project, like the framework itself.
// stub-packages: System.Text.Json
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace System.Text.Json
{
    public static class JsonSerializer
    {
        public static string Serialize<TValue>(TValue value, JsonSerializerOptions options = null) { throw null; }
        public static string Serialize(object value, Type inputType, JsonSerializerOptions options = null) { throw null; }
        public static string Serialize<TValue>(TValue value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TValue> jsonTypeInfo) { throw null; }
        public static string Serialize(object value, Type inputType, System.Text.Json.Serialization.JsonSerializerContext context) { throw null; }
        public static byte[] SerializeToUtf8Bytes<TValue>(TValue value, JsonSerializerOptions options = null) { throw null; }
        public static void Serialize<TValue>(Stream utf8Json, TValue value, JsonSerializerOptions options = null) { throw null; }
        public static Task SerializeAsync<TValue>(Stream utf8Json, TValue value, JsonSerializerOptions options = null, CancellationToken cancellationToken = default(CancellationToken)) { throw null; }
        public static TValue Deserialize<TValue>(string json, JsonSerializerOptions options = null) { throw null; }
        public static TValue Deserialize<TValue>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TValue> jsonTypeInfo) { throw null; }
        public static object Deserialize(string json, Type returnType, JsonSerializerOptions options = null) { throw null; }
        public static object Deserialize(string json, Type returnType, System.Text.Json.Serialization.JsonSerializerContext context) { throw null; }
        public static TValue Deserialize<TValue>(Stream utf8Json, JsonSerializerOptions options = null) { throw null; }
        public static TValue Deserialize<TValue>(JsonElement element, JsonSerializerOptions options = null) { throw null; }
        public static ValueTask<TValue> DeserializeAsync<TValue>(Stream utf8Json, JsonSerializerOptions options = null, CancellationToken cancellationToken = default(CancellationToken)) { throw null; }
    }

    public sealed class JsonSerializerOptions
    {
        public JsonSerializerOptions() { }
        public JsonSerializerOptions(JsonSerializerDefaults defaults) { }
        public JsonSerializerOptions(JsonSerializerOptions options) { }
        public static JsonSerializerOptions Default { get { throw null; } }
        public JsonNamingPolicy PropertyNamingPolicy { get; set; }
        public JsonNamingPolicy DictionaryKeyPolicy { get; set; }
        public bool PropertyNameCaseInsensitive { get; set; }
        public bool WriteIndented { get; set; }
        public bool AllowTrailingCommas { get; set; }
        public bool IncludeFields { get; set; }
        public int MaxDepth { get; set; }
        public JsonCommentHandling ReadCommentHandling { get; set; }
        public System.Text.Json.Serialization.JsonIgnoreCondition DefaultIgnoreCondition { get; set; }
        public System.Text.Json.Serialization.JsonNumberHandling NumberHandling { get; set; }
        public IList<System.Text.Json.Serialization.JsonConverter> Converters { get { throw null; } }
        public System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver TypeInfoResolver { get; set; }
    }

    public enum JsonSerializerDefaults { General = 0, Web = 1 }
    public enum JsonCommentHandling : byte { Disallow = 0, Skip = 1, Allow = 2 }

    public abstract class JsonNamingPolicy
    {
        protected JsonNamingPolicy() { }
        public static JsonNamingPolicy CamelCase { get { throw null; } }
        public static JsonNamingPolicy SnakeCaseLower { get { throw null; } }
        public static JsonNamingPolicy SnakeCaseUpper { get { throw null; } }
        public static JsonNamingPolicy KebabCaseLower { get { throw null; } }
        public abstract string ConvertName(string name);
    }

    public class JsonException : Exception
    {
        public JsonException() { }
        public JsonException(string message) { }
        public JsonException(string message, Exception innerException) { }
        public string Path { get { throw null; } }
        public long? LineNumber { get { throw null; } }
    }

    public enum JsonValueKind : byte { Undefined, Object, Array, String, Number, True, False, Null }

    public sealed class JsonDocument : IDisposable
    {
        public static JsonDocument Parse(string json, JsonDocumentOptions options = default(JsonDocumentOptions)) { throw null; }
        public static JsonDocument Parse(Stream utf8Json, JsonDocumentOptions options = default(JsonDocumentOptions)) { throw null; }
        public JsonElement RootElement { get { throw null; } }
        public void Dispose() { }
    }

    public struct JsonDocumentOptions
    {
        public bool AllowTrailingCommas { get; set; }
        public JsonCommentHandling CommentHandling { get; set; }
        public int MaxDepth { get; set; }
    }

    public struct JsonElement
    {
        public JsonValueKind ValueKind { get { throw null; } }
        public JsonElement this[int index] { get { throw null; } }
        public JsonElement GetProperty(string propertyName) { throw null; }
        public bool TryGetProperty(string propertyName, out JsonElement value) { throw null; }
        public string GetString() { throw null; }
        public int GetInt32() { throw null; }
        public long GetInt64() { throw null; }
        public double GetDouble() { throw null; }
        public decimal GetDecimal() { throw null; }
        public bool GetBoolean() { throw null; }
        public Guid GetGuid() { throw null; }
        public DateTime GetDateTime() { throw null; }
        public int GetArrayLength() { throw null; }
        public string GetRawText() { throw null; }
        public ArrayEnumerator EnumerateArray() { throw null; }
        public ObjectEnumerator EnumerateObject() { throw null; }

        public struct ArrayEnumerator : IEnumerable<JsonElement>, IEnumerator<JsonElement>
        {
            public JsonElement Current { get { throw null; } }
            object System.Collections.IEnumerator.Current { get { throw null; } }
            public ArrayEnumerator GetEnumerator() { throw null; }
            IEnumerator<JsonElement> IEnumerable<JsonElement>.GetEnumerator() { throw null; }
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { throw null; }
            public bool MoveNext() { throw null; }
            public void Reset() { }
            public void Dispose() { }
        }

        public struct ObjectEnumerator : IEnumerable<JsonProperty>, IEnumerator<JsonProperty>
        {
            public JsonProperty Current { get { throw null; } }
            object System.Collections.IEnumerator.Current { get { throw null; } }
            public ObjectEnumerator GetEnumerator() { throw null; }
            IEnumerator<JsonProperty> IEnumerable<JsonProperty>.GetEnumerator() { throw null; }
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { throw null; }
            public bool MoveNext() { throw null; }
            public void Reset() { }
            public void Dispose() { }
        }
    }

    public struct JsonProperty
    {
        public string Name { get { throw null; } }
        public JsonElement Value { get { throw null; } }
    }

    public ref struct Utf8JsonReader
    {
        public JsonTokenType TokenType { get { throw null; } }
        public bool Read() { throw null; }
        public string GetString() { throw null; }
        public int GetInt32() { throw null; }
        public long GetInt64() { throw null; }
        public double GetDouble() { throw null; }
        public bool GetBoolean() { throw null; }
        public DateTime GetDateTime() { throw null; }
    }

    public sealed class Utf8JsonWriter : IDisposable
    {
        public Utf8JsonWriter(Stream utf8Json) { }
        public void WriteStringValue(string value) { }
        public void WriteNumberValue(int value) { }
        public void WriteNumberValue(long value) { }
        public void WriteNumberValue(double value) { }
        public void WriteNumberValue(decimal value) { }
        public void WriteBooleanValue(bool value) { }
        public void WriteNullValue() { }
        public void WriteStartObject() { }
        public void WriteEndObject() { }
        public void WriteStartArray() { }
        public void WriteEndArray() { }
        public void WritePropertyName(string propertyName) { }
        public void WriteString(string propertyName, string value) { }
        public void Flush() { }
        public void Dispose() { }
    }

    public enum JsonTokenType : byte
    {
        None, StartObject, EndObject, StartArray, EndArray, PropertyName, Comment, String, Number, True, False, Null
    }
}

namespace System.Text.Json.Serialization
{
    public enum JsonIgnoreCondition { Never = 0, Always = 1, WhenWritingDefault = 2, WhenWritingNull = 3 }

    [Flags]
    public enum JsonNumberHandling { Strict = 0, AllowReadingFromString = 1, WriteAsString = 2, AllowNamedFloatingPointLiterals = 4 }

    public enum JsonSerializableAttributeGenerationMode { Default = 0, Metadata = 1, Serialization = 2 }
    public enum JsonKnownNamingPolicy { Unspecified = 0, CamelCase = 1, SnakeCaseLower = 2, SnakeCaseUpper = 3, KebabCaseLower = 4, KebabCaseUpper = 5 }
    public enum JsonSourceGenerationMode { Default = 0, Metadata = 1, Serialization = 2 }

    public abstract class JsonAttribute : Attribute
    {
        protected JsonAttribute() { }
    }

    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
    public sealed class JsonPropertyNameAttribute : JsonAttribute
    {
        public JsonPropertyNameAttribute(string name) { }
        public string Name { get { throw null; } }
    }

    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
    public sealed class JsonIgnoreAttribute : JsonAttribute
    {
        public JsonIgnoreAttribute() { }
        public JsonIgnoreCondition Condition { get; set; }
    }

    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
    public sealed class JsonIncludeAttribute : JsonAttribute
    {
        public JsonIncludeAttribute() { }
    }

    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
    public sealed class JsonRequiredAttribute : JsonAttribute
    {
        public JsonRequiredAttribute() { }
    }

    [AttributeUsage(AttributeTargets.Constructor, AllowMultiple = false)]
    public sealed class JsonConstructorAttribute : JsonAttribute
    {
        public JsonConstructorAttribute() { }
    }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Interface, AllowMultiple = false)]
    public class JsonConverterAttribute : JsonAttribute
    {
        public JsonConverterAttribute(Type converterType) { }
        protected JsonConverterAttribute() { }
        public Type ConverterType { get { throw null; } }
    }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class JsonSerializableAttribute : JsonAttribute
    {
        public JsonSerializableAttribute(Type type) { }
        public string TypeInfoPropertyName { get; set; }
        public JsonSourceGenerationMode GenerationMode { get; set; }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class JsonSourceGenerationOptionsAttribute : JsonAttribute
    {
        public JsonSourceGenerationOptionsAttribute() { }
        public JsonSourceGenerationOptionsAttribute(System.Text.Json.JsonSerializerDefaults defaults) { }
        public JsonKnownNamingPolicy PropertyNamingPolicy { get; set; }
        public JsonIgnoreCondition DefaultIgnoreCondition { get; set; }
        public bool WriteIndented { get; set; }
        public bool PropertyNameCaseInsensitive { get; set; }
        public JsonSourceGenerationMode GenerationMode { get; set; }
    }

    public abstract class JsonConverter
    {
        internal JsonConverter() { }
        public abstract bool CanConvert(Type typeToConvert);
    }

    public abstract class JsonConverter<T> : JsonConverter
    {
        protected internal JsonConverter() { }
        public override bool CanConvert(Type typeToConvert) { throw null; }
        public abstract T Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options);
        public abstract void Write(System.Text.Json.Utf8JsonWriter writer, T value, System.Text.Json.JsonSerializerOptions options);
    }

    public class JsonStringEnumConverter : JsonConverter
    {
        public JsonStringEnumConverter() { }
        public JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy namingPolicy, bool allowIntegerValues = true) { }
        public override bool CanConvert(Type typeToConvert) { throw null; }
    }

    // The real class is completed by the System.Text.Json source generator (its constructors and
    // GetTypeInfo); mcs runs no generators, so this stand-in leaves nothing abstract for user partial classes.
    public abstract class JsonSerializerContext : System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver
    {
        protected JsonSerializerContext() { }
        protected JsonSerializerContext(System.Text.Json.JsonSerializerOptions options) { }
        public System.Text.Json.JsonSerializerOptions Options { get { throw null; } }
        public virtual System.Text.Json.Serialization.Metadata.JsonTypeInfo GetTypeInfo(Type type) { throw null; }
        System.Text.Json.Serialization.Metadata.JsonTypeInfo System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver.GetTypeInfo(Type type, System.Text.Json.JsonSerializerOptions options) { throw null; }
    }
}

namespace System.Text.Json.Serialization.Metadata
{
    public interface IJsonTypeInfoResolver
    {
        JsonTypeInfo GetTypeInfo(Type type, System.Text.Json.JsonSerializerOptions options);
    }

    public abstract class JsonTypeInfo
    {
        internal JsonTypeInfo() { }
        public Type Type { get { throw null; } }
        public System.Text.Json.JsonSerializerOptions Options { get { throw null; } }
    }

    public sealed class JsonTypeInfo<T> : JsonTypeInfo
    {
        internal JsonTypeInfo() { }
    }

    public class DefaultJsonTypeInfoResolver : IJsonTypeInfoResolver
    {
        public DefaultJsonTypeInfoResolver() { }
        public virtual JsonTypeInfo GetTypeInfo(Type type, System.Text.Json.JsonSerializerOptions options) { throw null; }
    }
}
