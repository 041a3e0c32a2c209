namespace Distributed.Gateway.GrpcProxy;

/// <summary>How the front door treats one method of <c>distributed.inference.v1.Inference</c>.</summary>
/// <param name="Name">The method name, e.g. <c>Generate</c>.</param>
/// <param name="NeedsModel">The call is about one model: the model header is required and routes it.</param>
/// <param name="AdminOnly">Only an admin may call it (it changes what a worker serves for everyone).</param>
public sealed record FrontDoorMethod(string Name, bool NeedsModel, bool AdminOnly)
{
    public const string ServicePath = "/distributed.inference.v1.Inference";

    private static readonly Dictionary<string, FrontDoorMethod> Methods = new(StringComparer.Ordinal)
    {
        ["Generate"] = new("Generate", NeedsModel: true, AdminOnly: false),
        ["LoadModel"] = new("LoadModel", NeedsModel: true, AdminOnly: false),
        ["UnloadModel"] = new("UnloadModel", NeedsModel: true, AdminOnly: true),
        ["ListModels"] = new("ListModels", NeedsModel: false, AdminOnly: false),
        ["GetStatus"] = new("GetStatus", NeedsModel: false, AdminOnly: false),
    };

    /// <summary>The method a request path names (<c>/distributed.inference.v1.Inference/Generate</c>), or null for any other path.</summary>
    public static FrontDoorMethod? FromPath(string path)
    {
        if (!path.StartsWith(ServicePath + "/", StringComparison.Ordinal))
        {
            return null;
        }

        return Methods.GetValueOrDefault(path[(ServicePath.Length + 1)..]);
    }
}
