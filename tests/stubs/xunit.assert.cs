// Compile-time stand-in for xunit's Assert class (xunit.assert, brought in by the xunit package): real names and signatures, no behaviour.
// stub-packages: xunit, xunit.assert, xunit.v3, xunit.v3.assert
using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Xunit
{
    public partial class Assert
    {
        protected Assert() { }
        public static void Equal<T>(T expected, T actual) { throw null; }
        public static void Equal<T>(T expected, T actual, IEqualityComparer<T> comparer) { throw null; }
        public static void Equal<T>(IEnumerable<T> expected, IEnumerable<T> actual) { throw null; }
        public static void Equal(string expected, string actual) { throw null; }
        public static void Equal(string expected, string actual, bool ignoreCase = false, bool ignoreLineEndingDifferences = false, bool ignoreWhiteSpaceDifferences = false) { throw null; }
        public static void Equal(double expected, double actual, int precision) { throw null; }
        public static void Equal(decimal expected, decimal actual, int precision) { throw null; }
        public static void Equal(DateTime expected, DateTime actual, TimeSpan precision) { throw null; }
        public static void NotEqual<T>(T expected, T actual) { throw null; }
        public static void NotEqual(string expected, string actual) { throw null; }
        public static void StrictEqual<T>(T expected, T actual) { throw null; }
        public static void True(bool condition) { throw null; }
        public static void True(bool? condition) { throw null; }
        public static void True(bool condition, string userMessage) { throw null; }
        public static void True(bool? condition, string userMessage) { throw null; }
        public static void False(bool condition) { throw null; }
        public static void False(bool? condition) { throw null; }
        public static void False(bool condition, string userMessage) { throw null; }
        public static void False(bool? condition, string userMessage) { throw null; }
        public static void Null(object @object) { throw null; }
        public static void NotNull(object @object) { throw null; }
        public static void Same(object expected, object actual) { throw null; }
        public static void NotSame(object expected, object actual) { throw null; }
        public static void Empty(IEnumerable collection) { throw null; }
        public static void NotEmpty(IEnumerable collection) { throw null; }
        public static void Empty(string value) { throw null; }
        public static void Contains<T>(T expected, IEnumerable<T> collection) { throw null; }
        public static T Contains<T>(IEnumerable<T> collection, Predicate<T> filter) { throw null; }
        public static TValue Contains<TKey, TValue>(TKey expected, IDictionary<TKey, TValue> collection) { throw null; }
        public static TValue Contains<TKey, TValue>(TKey expected, IReadOnlyDictionary<TKey, TValue> collection) { throw null; }
        public static void Contains(string expectedSubstring, string actualString) { throw null; }
        public static void Contains(string expectedSubstring, string actualString, StringComparison comparisonType) { throw null; }
        public static void DoesNotContain<T>(T expected, IEnumerable<T> collection) { throw null; }
        public static void DoesNotContain<T>(IEnumerable<T> collection, Predicate<T> filter) { throw null; }
        public static void DoesNotContain(string expectedSubstring, string actualString) { throw null; }
        public static void StartsWith(string expectedStartString, string actualString) { throw null; }
        public static void EndsWith(string expectedEndString, string actualString) { throw null; }
        public static void Matches(string expectedRegexPattern, string actualString) { throw null; }
        public static T Single<T>(IEnumerable<T> collection) { throw null; }
        public static T Single<T>(IEnumerable<T> collection, Predicate<T> predicate) { throw null; }
        public static object Single(IEnumerable collection) { throw null; }
        public static void All<T>(IEnumerable<T> collection, Action<T> action) { throw null; }
        public static void Collection<T>(IEnumerable<T> collection, params Action<T>[] elementInspectors) { throw null; }
        public static void InRange<T>(T actual, T low, T high) where T : IComparable { throw null; }
        public static T IsType<T>(object @object) { throw null; }
        public static object IsType(Type expectedType, object @object) { throw null; }
        public static void IsNotType<T>(object @object) { throw null; }
        public static T IsAssignableFrom<T>(object @object) { throw null; }
        public static T Throws<T>(Action testCode) where T : Exception { throw null; }
        public static T Throws<T>(Func<object> testCode) where T : Exception { throw null; }
        public static T Throws<T>(string paramName, Action testCode) where T : ArgumentException { throw null; }
        public static Exception Throws(Type exceptionType, Action testCode) { throw null; }
        public static T ThrowsAny<T>(Action testCode) where T : Exception { throw null; }
        public static Task<T> ThrowsAsync<T>(Func<Task> testCode) where T : Exception { throw null; }
        public static Task<T> ThrowsAnyAsync<T>(Func<Task> testCode) where T : Exception { throw null; }
        public static void Fail(string message) { throw null; }
    }

    public static class Record
    {
        public static Exception Exception(Action testCode) { throw null; }
        public static Exception Exception(Func<object> testCode) { throw null; }
        public static Task<Exception> ExceptionAsync(Func<Task> testCode) { throw null; }
    }
}
