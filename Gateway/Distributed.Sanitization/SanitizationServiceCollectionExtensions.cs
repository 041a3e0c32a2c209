using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Distributed.Sanitization;

public static class SanitizationServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="SanitizerOptions"/> from the configuration section (validated at startup) and registers one
    /// shared, thread-safe <see cref="PromptSanitizer"/>.
    /// </summary>
    public static IServiceCollection AddPromptSanitizer(this IServiceCollection services, string section = "Sanitization")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);

        services.AddOptions<SanitizerOptions>()
            .BindConfiguration(section)
            .Validate(o => Enum.IsDefined(o.InjectionMode), "Sanitization:InjectionMode must be Off, Flag or Block.")
            .ValidateOnStart();
        services.TryAddSingleton<PromptSanitizer>();
        return services;
    }
}
