using Microsoft.Extensions.Options;

namespace Distributed.Redis;

/// <summary>Rejects unusable settings at startup (ValidateOnStart) instead of at the first command.</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add("Redis Host is required.");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"Redis Port must be 1-65535, got {options.Port}.");
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

    /// <summary>Shared with the <see cref="RedisConnection"/> constructor so hand-built options are checked too.</summary>
    internal static void ThrowIfInvalid(RedisOptions options)
    {
        var result = new RedisOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RedisOptions), result.Failures);
        }
    }

    private static void CheckPositive(List<string> failures, string name, TimeSpan value, bool allowInfinite)
    {
        if (value <= TimeSpan.Zero && !(allowInfinite && value == Timeout.InfiniteTimeSpan))
        {
            failures.Add($"Redis {name} must be positive, got {value}.");
        }
    }
}
