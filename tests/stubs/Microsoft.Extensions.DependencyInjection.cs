// Compile-time stand-in for the Microsoft.Extensions.DependencyInjection package (the container): real names and signatures, no behaviour.
// stub-packages: Microsoft.Extensions.DependencyInjection
// stub-references: Microsoft.Extensions.DependencyInjection.Abstractions
using System;
using System.Collections;
using System.Collections.Generic;

namespace Microsoft.Extensions.DependencyInjection
{
    public class ServiceCollection : IServiceCollection
    {
        public ServiceCollection() { }
        public ServiceDescriptor this[int index] { get { throw null; } set { } }
        public int Count { get { throw null; } }
        public bool IsReadOnly { get { throw null; } }
        public void Add(ServiceDescriptor item) { }
        public void Clear() { }
        public bool Contains(ServiceDescriptor item) { throw null; }
        public void CopyTo(ServiceDescriptor[] array, int arrayIndex) { }
        public IEnumerator<ServiceDescriptor> GetEnumerator() { throw null; }
        IEnumerator IEnumerable.GetEnumerator() { throw null; }
        public int IndexOf(ServiceDescriptor item) { throw null; }
        public void Insert(int index, ServiceDescriptor item) { }
        public bool Remove(ServiceDescriptor item) { throw null; }
        public void RemoveAt(int index) { }
    }

    public sealed class ServiceProvider : IServiceProvider, IDisposable
    {
        private ServiceProvider() { }
        public object GetService(Type serviceType) { throw null; }
        public void Dispose() { }
    }

    public class ServiceProviderOptions
    {
        public bool ValidateScopes { get; set; }
        public bool ValidateOnBuild { get; set; }
    }

    public static class ServiceCollectionContainerBuilderExtensions
    {
        public static ServiceProvider BuildServiceProvider(this IServiceCollection services) { throw null; }
        public static ServiceProvider BuildServiceProvider(this IServiceCollection services, bool validateScopes) { throw null; }
        public static ServiceProvider BuildServiceProvider(this IServiceCollection services, ServiceProviderOptions options) { throw null; }
    }
}
