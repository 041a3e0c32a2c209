using System.Diagnostics;

namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// A local Redis Cluster of three masters (no replicas) on free loopback ports, each node a
/// <see cref="RedisServerFixture"/> (same users and passwords on every node), created with
/// <c>redis-cli --cluster create</c> and ready once every node reports <c>cluster_state:ok</c>.
/// </summary>
public sealed class RedisClusterFixture : IRedisTarget, IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly List<RedisServerFixture> _nodes = [];

    private RedisClusterFixture(string appPassword, string adminPassword)
    {
        AppPassword = appPassword;
        AdminPassword = adminPassword;
    }

    public IReadOnlyList<RedisServerFixture> Nodes => _nodes;

    public IReadOnlyList<string> Endpoints => _nodes.Select(n => $"{n.Host}:{n.Port}").ToArray();

    public string AppPassword { get; }

    public string AdminPassword { get; }

    public static async Task<RedisClusterFixture> StartNewAsync(int masters = 3)
    {
        var cluster = new RedisClusterFixture(RedisServerFixture.NewPassword(), RedisServerFixture.NewPassword());
        try
        {
            for (var i = 0; i < masters; i++)
            {
                cluster._nodes.Add(await RedisServerFixture.StartNewAsync(
                    ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"],
                    clusterBus: true,
                    appPassword: cluster.AppPassword,
                    adminPassword: cluster.AdminPassword));
            }

            await cluster.RunCliAsync([.. AuthArgs(cluster), "--cluster", "create", .. cluster.Endpoints, "--cluster-replicas", "0", "--cluster-yes"]);
            await cluster.WaitUntilOkAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _nodes.Clear();
    }

    private static string[] AuthArgs(RedisClusterFixture cluster) =>
        ["--user", RedisServerFixture.AdminUser, "--pass", cluster.AdminPassword, "--no-auth-warning"];

    private async Task WaitUntilOkAsync()
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        foreach (var node in _nodes)
        {
            while (true)
            {
                var info = await RunCliAsync(["-h", node.Host, "-p", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. AuthArgs(this), "cluster", "info"]);
                if (info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Cluster node {node.Port} not ok within {ReadyTimeout}:\n{info}");
                }

                await Task.Delay(100);
            }
        }
    }

    /// <summary>Runs redis-cli (bounded to 30 s) and returns its output; throws when it fails.</summary>
    private async Task<string> RunCliAsync(IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(RedisServerFixture.FindCli())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start redis-cli.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("redis-cli did not finish within 30 s.");
        }

        var output = await stdout + await stderr;
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"redis-cli failed ({process.ExitCode}):\n{output}");
    }
}
