using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Storage;

/// <summary>Rejects unusable settings at startup (ValidateOnStart) instead of at the first command.</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                ConfigurationOptions.Parse(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                // The parser's message names the option, never its value, so no password reaches the log.
                failures.Add($"Redis ConnectionString is invalid: {ex.Message}");
            }
        }
        else if (options.Endpoints.Count == 0 && string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add("Redis Host (or Endpoints, or ConnectionString) is required.");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"Redis Port must be 1-65535, got {options.Port}.");
        }

        foreach (var endpoint in options.Endpoints.Where(e => EndPointCollection.TryParse(e) is null))
        {
            failures.Add($"Redis Endpoints entry '{endpoint}' is not host:port.");
        }

        if (options.Database < 0)
        {
            failures.Add($"Redis Database must be >= 0, got {options.Database}.");
        }

        if (!string.IsNullOrEmpty(options.User) && string.IsNullOrEmpty(options.Password))
        {
            failures.Add("Redis User requires a Password.");
        }

        CheckPositive(failures, nameof(options.CommandTimeout), options.CommandTimeout, allowInfinite: true);
        CheckPositive(failures, nameof(options.ConnectTimeout), options.ConnectTimeout, allowInfinite: false);
        CheckPositive(failures, nameof(options.ReconnectInitialDelay), options.ReconnectInitialDelay, allowInfinite: false);
        CheckPositive(failures, nameof(options.ReconnectMaxDelay), options.ReconnectMaxDelay, allowInfinite: false);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPositive(List<string> failures, string name, TimeSpan value, bool allowInfinite)
    {
        if (value <= TimeSpan.Zero && !(allowInfinite && value == Timeout.InfiniteTimeSpan))
        {
            failures.Add($"Redis {name} must be positive, got {value}.");
        }
    }
}
