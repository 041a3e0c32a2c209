using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;

namespace Distributed.Gateway.Tests.OpenAi;

/// <summary>The official OpenAI .NET SDK pointed at a test gateway's <c>/v1</c>, unchanged but for its endpoint (no retries, so a 429 surfaces at once).</summary>
public static class OpenAiClients
{
    public static OpenAIClient For(GatewayHost gateway, string apiKey = TestKeys.Alice) =>
        new(new ApiKeyCredential(apiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(gateway.BaseAddress, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(90),
        });
}
