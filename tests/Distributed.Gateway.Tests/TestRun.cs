using Distributed.Gateway.Tests.Support;

namespace Distributed.Gateway.Tests;

/// <summary>Stops the shared redis-server, worker process and gateway after the last fixture of the run.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public Task StopSharedAsync() => SharedEnvironment.DisposeIfStartedAsync();
}
