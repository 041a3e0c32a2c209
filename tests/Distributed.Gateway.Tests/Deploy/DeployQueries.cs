using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Distributed.Gateway.Tests.Deploy;

/// <summary>
/// Every PromQL expression the deployment ships: the Grafana dashboard's panel targets and variable queries, the KEDA
/// ScaledObject's Prometheus triggers and the Prometheus Adapter's rules.
/// </summary>
public static partial class DeployQueries
{
    public static string Dashboard => Path.Combine(TestPaths.RepoRoot, "deploy", "grafana", "distributed-dashboard.json");

    public static string ScaledObject => Path.Combine(TestPaths.RepoRoot, "deploy", "k8s", "components", "keda", "scaledobject.yaml");

    public static string AdapterConfig => Path.Combine(TestPaths.RepoRoot, "deploy", "k8s", "prometheus-adapter", "adapter-config.yaml");

    public static IReadOnlyList<DeployQuery> All() => [.. FromDashboard(), .. FromScaledObject(), .. FromAdapterConfig()];

    public static IEnumerable<DeployQuery> FromDashboard()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Dashboard));
        foreach (var panel in Panels(doc.RootElement))
        {
            foreach (var target in Items(panel, "targets"))
            {
                yield return new DeployQuery($"dashboard panel \"{panel.GetProperty("title").GetString()}\"", target.GetProperty("expr").GetString()!);
            }
        }

        foreach (var variable in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() != "query")
            {
                continue;
            }

            var query = variable.GetProperty("query");
            var text = query.ValueKind == JsonValueKind.String ? query.GetString()! : query.GetProperty("query").GetString()!;
            // label_values(<series selector>, <label>): the selector is PromQL, the label a name to look for.
            var labelValues = LabelValues().Match(text);
            var expr = labelValues.Success ? $"{labelValues.Groups[1].Value} by ({labelValues.Groups[2].Value})" : text;
            yield return new DeployQuery($"dashboard variable {variable.GetProperty("name").GetString()}", expr);
        }
    }

    public static IEnumerable<DeployQuery> FromScaledObject()
    {
        foreach (var root in LoadYaml(File.ReadAllText(ScaledObject)))
        {
            if (Scalar(root, "kind") != "ScaledObject")
            {
                continue;
            }

            foreach (var trigger in Sequence(Get(Get(root, "spec"), "triggers")))
            {
                yield return new DeployQuery($"ScaledObject trigger {Scalar(trigger, "name")}", Scalar(Get(trigger, "metadata"), "query")!);
            }
        }
    }

    public static IEnumerable<DeployQuery> FromAdapterConfig()
    {
        var configMap = LoadYaml(File.ReadAllText(AdapterConfig)).Single();
        var config = LoadYaml(Scalar(Get(configMap, "data"), "config.yaml")!).Single();
        foreach (var rule in Sequence(Get(config, "rules")))
        {
            yield return new DeployQuery("adapter rule seriesQuery", Scalar(rule, "seriesQuery")!);
            yield return new DeployQuery("adapter rule metricsQuery", Scalar(rule, "metricsQuery")!);
        }
    }

    private static IEnumerable<JsonElement> Panels(JsonElement parent)
    {
        foreach (var panel in Items(parent, "panels"))
        {
            yield return panel;
            foreach (var nested in Panels(panel))
            {
                yield return nested;
            }
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.TryGetProperty(name, out var array) ? array.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static List<YamlNode> LoadYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).ToList();
    }

    private static YamlNode? Get(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode? node, string key) => (Get(node, key) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlNode> Sequence(YamlNode? node) => node is YamlSequenceNode seq ? seq.Children : [];

    [GeneratedRegex(@"^\s*label_values\((.*),\s*(\w+)\s*\)\s*$")]
    private static partial Regex LabelValues();
}
