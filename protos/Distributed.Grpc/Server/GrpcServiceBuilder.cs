using Google.Protobuf;

namespace Distributed.Grpc;

/// <summary>Collects the methods one <c>MapGrpcService</c> call exposes.</summary>
public sealed class GrpcServiceBuilder
{
    private readonly Dictionary<string, ServerMethod> _methods = new(StringComparer.Ordinal);

    internal GrpcServiceBuilder()
    {
    }

    internal IEnumerable<ServerMethod> Methods => _methods.Values;

    public GrpcServiceBuilder AddUnary<TReq, TRes>(Method<TReq, TRes> method, Func<TReq, ServerCallContext, Task<TRes>> handler)
        where TReq : class, IMessage<TReq>
        where TRes : class, IMessage<TRes>
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, MethodType.Unary, async call =>
        {
            var request = await call.ReadRequestAsync(method.RequestParser);
            var reply = await handler(request, call.Context);
            await call.WriteMessageAsync(reply ?? throw new InvalidOperationException("The handler returned no reply."), CancellationToken.None);
        });
    }

    public GrpcServiceBuilder AddServerStreaming<TReq, TRes>(
        Method<TReq, TRes> method,
        Func<TReq, IServerStreamWriter<TRes>, ServerCallContext, Task> handler)
        where TReq : class, IMessage<TReq>
        where TRes : class, IMessage<TRes>
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, MethodType.ServerStreaming, async call =>
        {
            var request = await call.ReadRequestAsync(method.RequestParser);
            await handler(request, new ServerStreamWriter<TRes>(call), call.Context);
        });
    }

    private GrpcServiceBuilder Add<TReq, TRes>(Method<TReq, TRes> method, MethodType expected, Func<ServerCall, Task> invoke)
        where TReq : class, IMessage<TReq>
        where TRes : class, IMessage<TRes>
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.FullName} is {method.Type}, not {expected}.", nameof(method));
        }

        if (!_methods.TryAdd(method.FullName, new ServerMethod(method.FullName, invoke)))
        {
            throw new ArgumentException($"{method.FullName} is already mapped.", nameof(method));
        }

        return this;
    }
}
