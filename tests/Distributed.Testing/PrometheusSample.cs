namespace Distributed.Testing;

/// <summary>One sample line of a Prometheus text exposition: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>True when every given label has the given value (other labels may be present too).</summary>
    public bool Has(params (string Label, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Label, out var value) && value == l.Value);
}
