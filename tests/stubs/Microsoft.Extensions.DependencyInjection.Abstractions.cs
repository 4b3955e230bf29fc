// Compile-time stand-in for the Microsoft.Extensions.DependencyInjection.Abstractions package: real names and signatures, no behaviour.
// stub-packages: Microsoft.Extensions.DependencyInjection.Abstractions
using System;
using System.Collections.Generic;

namespace Microsoft.Extensions.DependencyInjection
{
    public enum ServiceLifetime { Singleton = 0, Scoped = 1, Transient = 2 }

    public class ServiceDescriptor
    {
        public ServiceDescriptor(Type serviceType, Type implementationType, ServiceLifetime lifetime) { }
        public ServiceDescriptor(Type serviceType, object instance) { }
        public ServiceDescriptor(Type serviceType, Func<IServiceProvider, object> factory, ServiceLifetime lifetime) { }
        public ServiceLifetime Lifetime { get { throw null; } }
        public Type ServiceType { get { throw null; } }
        public Type ImplementationType { get { throw null; } }
        public object ImplementationInstance { get { throw null; } }
        public Func<IServiceProvider, object> ImplementationFactory { get { throw null; } }
        public static ServiceDescriptor Singleton<TService, TImplementation>() where TService : class where TImplementation : class, TService { throw null; }
        public static ServiceDescriptor Scoped<TService, TImplementation>() where TService : class where TImplementation : class, TService { throw null; }
        public static ServiceDescriptor Transient<TService, TImplementation>() where TService : class where TImplementation : class, TService { throw null; }
    }

    public interface IServiceCollection : IList<ServiceDescriptor>, ICollection<ServiceDescriptor>, IEnumerable<ServiceDescriptor>, System.Collections.IEnumerable
    {
    }

    public interface IServiceScope : IDisposable
    {
        IServiceProvider ServiceProvider { get; }
    }

    public interface IServiceScopeFactory
    {
        IServiceScope CreateScope();
    }

    public static class ServiceCollectionServiceExtensions
    {
        public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services, Func<IServiceProvider, TImplementation> implementationFactory) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class { throw null; }
        public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, TService implementationInstance) where TService : class { throw null; }
        public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, Func<IServiceProvider, TService> implementationFactory) where TService : class { throw null; }
        public static IServiceCollection AddSingleton(this IServiceCollection services, Type serviceType) { throw null; }
        public static IServiceCollection AddSingleton(this IServiceCollection services, Type serviceType, Type implementationType) { throw null; }
        public static IServiceCollection AddSingleton(this IServiceCollection services, Type serviceType, object implementationInstance) { throw null; }
        public static IServiceCollection AddScoped<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddScoped<TService, TImplementation>(this IServiceCollection services, Func<IServiceProvider, TImplementation> implementationFactory) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddScoped<TService>(this IServiceCollection services) where TService : class { throw null; }
        public static IServiceCollection AddScoped<TService>(this IServiceCollection services, Func<IServiceProvider, TService> implementationFactory) where TService : class { throw null; }
        public static IServiceCollection AddScoped(this IServiceCollection services, Type serviceType) { throw null; }
        public static IServiceCollection AddScoped(this IServiceCollection services, Type serviceType, Type implementationType) { throw null; }
        public static IServiceCollection AddTransient<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddTransient<TService, TImplementation>(this IServiceCollection services, Func<IServiceProvider, TImplementation> implementationFactory) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddTransient<TService>(this IServiceCollection services) where TService : class { throw null; }
        public static IServiceCollection AddTransient<TService>(this IServiceCollection services, Func<IServiceProvider, TService> implementationFactory) where TService : class { throw null; }
        public static IServiceCollection AddTransient(this IServiceCollection services, Type serviceType) { throw null; }
        public static IServiceCollection AddTransient(this IServiceCollection services, Type serviceType, Type implementationType) { throw null; }
    }

    public static class ServiceProviderServiceExtensions
    {
        public static T GetService<T>(this IServiceProvider provider) { throw null; }
        public static T GetRequiredService<T>(this IServiceProvider provider) { throw null; }
        public static object GetRequiredService(this IServiceProvider provider, Type serviceType) { throw null; }
        public static IEnumerable<T> GetServices<T>(this IServiceProvider provider) { throw null; }
        public static IServiceScope CreateScope(this IServiceProvider provider) { throw null; }
    }
}

namespace Microsoft.Extensions.DependencyInjection.Extensions
{
    public static class ServiceCollectionDescriptorExtensions
    {
        public static void TryAdd(this IServiceCollection collection, ServiceDescriptor descriptor) { throw null; }
        public static void TryAddSingleton<TService, TImplementation>(this IServiceCollection collection) where TService : class where TImplementation : class, TService { throw null; }
        public static void TryAddSingleton<TService>(this IServiceCollection collection, TService instance) where TService : class { throw null; }
        public static void TryAddScoped<TService, TImplementation>(this IServiceCollection collection) where TService : class where TImplementation : class, TService { throw null; }
        public static void TryAddTransient<TService, TImplementation>(this IServiceCollection collection) where TService : class where TImplementation : class, TService { throw null; }
    }
}
