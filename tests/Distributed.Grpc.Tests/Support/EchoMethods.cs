using Distributed.Grpc.Tests.Echo;

namespace Distributed.Grpc.Tests.Support;

internal static class EchoMethods
{
    public const string ServiceName = "distributed.test.v1.Echo";

    public static readonly Method<SayRequest, SayReply> Say =
        new(MethodType.Unary, ServiceName, "Say", SayRequest.Parser, SayReply.Parser);

    public static readonly Method<CountRequest, CountReply> Count =
        new(MethodType.ServerStreaming, ServiceName, "Count", CountRequest.Parser, CountReply.Parser);

    public static readonly Method<FailRequest, SayReply> Fail =
        new(MethodType.Unary, ServiceName, "Fail", FailRequest.Parser, SayReply.Parser);

    public static readonly Method<WaitRequest, SayReply> WaitForCancel =
        new(MethodType.Unary, ServiceName, "WaitForCancel", WaitRequest.Parser, SayReply.Parser);

    public static readonly Method<SayRequest, SayReply> Missing =
        new(MethodType.Unary, ServiceName, "Missing", SayRequest.Parser, SayReply.Parser);
}
