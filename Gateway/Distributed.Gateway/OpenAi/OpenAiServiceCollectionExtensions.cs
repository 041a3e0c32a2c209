namespace Distributed.Gateway.OpenAi;

public static class OpenAiServiceCollectionExtensions
{
    /// <summary>The Responses store, and OpenAI-shaped errors under <c>/v1</c> (a problem writer ahead of the default one).</summary>
    public static IServiceCollection AddOpenAiApi(this IServiceCollection services)
    {
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, OpenAiErrorWriter>());
        services.AddSingleton<ResponseStore>();
        services.AddSingleton<ResponseService>();
        return services;
    }
}
