using Distributed.Grpc.Tests.Echo;
using Google.Protobuf;

namespace Distributed.Grpc.Tests.Support;

/// <summary>The C# implementation of echo.proto that the tests (and the grpc-js client) call.</summary>
internal static class EchoService
{
    public static void Map(GrpcServiceBuilder service, ServerEvents events) =>
        service
            .AddUnary(EchoMethods.Say, (request, context) => Task.FromResult(Say(request, context)))
            .AddServerStreaming(EchoMethods.Count, (request, writer, context) => CountAsync(request, writer, context, events))
            .AddUnary(EchoMethods.Fail, Fail)
            .AddUnary(EchoMethods.WaitForCancel, (request, context) => WaitForCancelAsync(request, context, events));

    private static SayReply Say(SayRequest request, ServerCallContext context)
    {
        var reply = new SayReply { Text = request.Text, Payload = ByteString.CopyFrom(new byte[request.ReplySize]) };
        foreach (var (name, value) in context.RequestHeaders)
        {
            reply.Headers[name.ToLowerInvariant()] = value.ToString();
        }

        return reply;
    }

    private static async Task CountAsync(CountRequest request, IServerStreamWriter<CountReply> writer, ServerCallContext context, ServerEvents events)
    {
        events.Signal(request.Id, "started");
        try
        {
            for (var i = 0; i < request.N; i++)
            {
                await writer.WriteAsync(new CountReply { I = i });
                if (request.DelayMs > 0)
                {
                    await Task.Delay(request.DelayMs, context.CancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            events.Signal(request.Id, "cancelled");
            throw;
        }

        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, request.FailMessage);
        }
    }

    private static Task<SayReply> Fail(FailRequest request, ServerCallContext context) =>
        request.Code < 0
            ? throw new InvalidOperationException("secret internal detail")
            : throw new RpcException((StatusCode)request.Code, request.Message);

    private static async Task<SayReply> WaitForCancelAsync(WaitRequest request, ServerCallContext context, ServerEvents events)
    {
        events.Signal(request.Id, "started");
        if (request.IgnoreCancellation)
        {
            // A handler that never looks at its token: the server must still end the call at the deadline.
            await using var registration = context.CancellationToken.Register(() => events.Signal(request.Id, "cancelled"));
            await events.WaitAsync(request.Id, "release");
            return new SayReply { Text = "released" };
        }

        try
        {
            await Task.Delay(System.Threading.Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            events.Signal(request.Id, "cancelled");
            throw;
        }

        return new SayReply();
    }
}
