using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Workers;

/// <summary>The set of known worker instances, rebuilt from configuration and DNS.</summary>
public sealed partial class WorkerPool(IOptions<WorkersOptions> options, ILogger<WorkerPool> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private Dictionary<Uri, WorkerEndpoint> _endpoints = [];

    public IReadOnlyList<WorkerEndpoint> Endpoints
    {
        get
        {
            lock (_gate)
            {
                return [.. _endpoints.Values];
            }
        }
    }

    /// <summary>Resolves every configured address; each IP of a name is its own worker. Keeps the last answer for names that fail to resolve.</summary>
    public async Task ResolveAsync(CancellationToken ct)
    {
        var resolved = new HashSet<Uri>();
        var failed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in options.Value.ExpandedAddresses())
        {
            var uri = Parse(entry);
            if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
            {
                resolved.Add(uri);
                continue;
            }

            try
            {
                var addresses = await Dns.GetHostAddressesAsync(uri.Host, ct);
                foreach (var ip in addresses.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
                {
                    var host = ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
                    resolved.Add(new Uri($"{uri.Scheme}://{host}:{uri.Port}"));
                }
            }
            catch (SocketException ex)
            {
                failed.Add(uri.Host);
                LogResolveFailed(logger, uri.Host, ex.Message);
            }
        }

        var removed = new List<WorkerEndpoint>();
        lock (_gate)
        {
            var next = new Dictionary<Uri, WorkerEndpoint>();
            foreach (var uri in resolved)
            {
                next[uri] = _endpoints.TryGetValue(uri, out var existing) ? existing : new WorkerEndpoint(uri, options.Value);
            }

            // A name that failed to resolve this time keeps its previous instances rather than dropping every worker on a DNS hiccup.
            foreach (var (uri, endpoint) in _endpoints)
            {
                if (next.ContainsKey(uri))
                {
                    continue;
                }

                if (failed.Count > 0)
                {
                    next[uri] = endpoint;
                }
                else
                {
                    removed.Add(endpoint);
                }
            }

            _endpoints = next;
        }

        foreach (var endpoint in removed)
        {
            LogWorkerRemoved(logger, endpoint.Address);
            endpoint.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var endpoint in _endpoints.Values)
            {
                endpoint.Dispose();
            }

            _endpoints = [];
        }
    }

    internal static Uri Parse(string entry)
    {
        var text = entry.Contains("://", StringComparison.Ordinal) ? entry : "http://" + entry;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new Uri($"{uri.Scheme}://{uri.Authority}")
            : throw new InvalidOperationException($"'{entry}' is not a worker address (use http://host:port).");
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Could not resolve worker host {Host}: {Reason}")]
    private static partial void LogResolveFailed(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "Worker {Address} is gone from DNS")]
    private static partial void LogWorkerRemoved(ILogger logger, Uri address);
}
