// Compile-time stand-in for the Amazon.Lambda.RuntimeSupport package (executable handlers): real names and signatures, no behaviour.
// stub-packages: Amazon.Lambda.RuntimeSupport
// stub-references: Amazon.Lambda.Core
using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Lambda.Core;

namespace Amazon.Lambda.RuntimeSupport
{
    public delegate Task<InvocationResponse> LambdaBootstrapHandler(InvocationRequest invocation);
    public delegate Task<bool> LambdaBootstrapInitializer();

    public class InvocationRequest : IDisposable
    {
        public Stream InputStream { get { throw null; } }
        public ILambdaContext LambdaContext { get { throw null; } }
        public void Dispose() { }
    }

    public class InvocationResponse
    {
        public InvocationResponse(Stream outputStream) { }
        public InvocationResponse(Stream outputStream, bool disposeOutputStream) { }
        public Stream OutputStream { get { throw null; } }
        public bool DisposeOutputStream { get { throw null; } }
    }

    public class LambdaBootstrap : IDisposable
    {
        public LambdaBootstrap(LambdaBootstrapHandler handler, LambdaBootstrapInitializer initializer = null) { }
        public Task RunAsync(CancellationToken cancellationToken = default(CancellationToken)) { throw null; }
        public void Dispose() { }
    }

    public class LambdaBootstrapBuilder
    {
        private LambdaBootstrapBuilder() { }
        public static LambdaBootstrapBuilder Create(Func<Stream, ILambdaContext, Task<InvocationResponse>> handler) { throw null; }
        public static LambdaBootstrapBuilder Create(Func<Stream, ILambdaContext, Task> handler) { throw null; }
        public static LambdaBootstrapBuilder Create(Func<Stream, Task> handler) { throw null; }
        public static LambdaBootstrapBuilder Create(Func<ILambdaContext, Task> handler) { throw null; }
        public static LambdaBootstrapBuilder Create(Func<Task> handler) { throw null; }
        public static LambdaBootstrapBuilder Create(Action<Stream, ILambdaContext> handler) { throw null; }
        public static LambdaBootstrapBuilder Create(Func<Stream, ILambdaContext, Stream> handler) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput>(Func<TInput, ILambdaContext, Task> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput>(Func<TInput, Task> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput>(Action<TInput, ILambdaContext> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput>(Action<TInput> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TOutput>(Func<ILambdaContext, Task<TOutput>> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TOutput>(Func<ILambdaContext, TOutput> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput, TOutput>(Func<TInput, ILambdaContext, Task<TOutput>> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput, TOutput>(Func<TInput, Task<TOutput>> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput, TOutput>(Func<TInput, ILambdaContext, TOutput> handler, ILambdaSerializer serializer) { throw null; }
        public static LambdaBootstrapBuilder Create<TInput, TOutput>(Func<TInput, TOutput> handler, ILambdaSerializer serializer) { throw null; }
        public LambdaBootstrapBuilder UseBootstrapHandler(LambdaBootstrapInitializer bootstrapInitializer) { throw null; }
        public LambdaBootstrap Build() { throw null; }
    }
}
