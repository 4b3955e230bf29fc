// Compile-time stand-in for the xunit test attributes (xunit.core, brought in by the xunit package): real names and signatures, no behaviour.
// xunit.v3 keeps the same Xunit namespace and attribute names, so it maps here too.
// stub-packages: xunit, xunit.core, xunit.v3, xunit.v3.core
using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Xunit
{
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class FactAttribute : Attribute
    {
        public virtual string DisplayName { get; set; }
        public virtual string Skip { get; set; }
        public virtual int Timeout { get; set; }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class TheoryAttribute : FactAttribute
    {
    }

    public abstract class DataAttribute : Attribute
    {
        public virtual string Skip { get; set; }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class InlineDataAttribute : DataAttribute
    {
        public InlineDataAttribute(params object[] data) { }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class MemberDataAttribute : DataAttribute
    {
        public MemberDataAttribute(string memberName, params object[] parameters) { }
        public Type MemberType { get; set; }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public class ClassDataAttribute : DataAttribute
    {
        public ClassDataAttribute(Type @class) { }
    }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class TraitAttribute : Attribute
    {
        public TraitAttribute(string name, string value) { }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class CollectionAttribute : Attribute
    {
        public CollectionAttribute(string name) { }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class CollectionDefinitionAttribute : Attribute
    {
        public CollectionDefinitionAttribute(string name) { }
        public bool DisableParallelization { get; set; }
    }

    public interface IClassFixture<TFixture> where TFixture : class
    {
    }

    public interface ICollectionFixture<TFixture> where TFixture : class
    {
    }

    public interface IAsyncLifetime
    {
        Task InitializeAsync();
        Task DisposeAsync();
    }

    public abstract class TheoryData : IEnumerable<object[]>
    {
        protected void AddRow(params object[] values) { }
        public IEnumerator<object[]> GetEnumerator() { throw null; }
        IEnumerator IEnumerable.GetEnumerator() { throw null; }
    }

    public class TheoryData<T> : TheoryData
    {
        public void Add(T p) { }
    }

    public class TheoryData<T1, T2> : TheoryData
    {
        public void Add(T1 p1, T2 p2) { }
    }

    public class TheoryData<T1, T2, T3> : TheoryData
    {
        public void Add(T1 p1, T2 p2, T3 p3) { }
    }
}

namespace Xunit.Abstractions
{
    public interface ITestOutputHelper
    {
        void WriteLine(string message);
        void WriteLine(string format, params object[] args);
    }
}
