using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Distributed.Grpc.Tests.Support;

/// <summary>The echo service on real Kestrel, HTTP/2 cleartext on 127.0.0.1 and a free port.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, Uri address, ServerEvents events)
    {
        _app = app;
        Address = address;
        Events = events;
    }

    public Uri Address { get; }

    public ServerEvents Events { get; }

    public static async Task<EchoServer> StartAsync(Action<GrpcServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseGrpcHttp2()));
        builder.Services.AddGrpcTransport(configure);

        var app = builder.Build();
        var events = new ServerEvents();
        app.MapGrpcService(service => EchoService.Map(service, events));
        app.MapGrpcUnimplemented();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new EchoServer(app, new Uri(address), events);
    }

    public async ValueTask DisposeAsync()
    {
        // Don't wait for handlers a test left running: abort them after a short grace period.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
