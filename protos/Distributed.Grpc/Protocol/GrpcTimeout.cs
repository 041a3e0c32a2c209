using System.Globalization;

namespace Distributed.Grpc;

/// <summary>The <c>grpc-timeout</c> header: at most 8 ASCII digits followed by one of H M S m u n.</summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>Longest timeout a timer can wait (Task.Delay takes at most uint.MaxValue - 1 ms); longer ones are treated as infinite.</summary>
    public static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            // A tick is 100 ns; round up so a tiny timeout is not read as none at all.
            'n' => (amount + 99) / 100,
            _ => null,
        };

        if (ticks is null)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks(ticks.Value);
        return true;
    }

    /// <summary>
    /// Encodes in the finest unit whose value fits in 8 digits, rounding up so the server never
    /// sees an earlier deadline than the client's.
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 0);
        if (ticks <= MaxValue / 100)
        {
            return Invariant(ticks * 100, 'n');
        }

        (long TicksPerUnit, char Unit)[] units =
        [
            (TimeSpan.TicksPerMicrosecond, 'u'),
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
        ];

        foreach (var (ticksPerUnit, unit) in units)
        {
            var amount = CeilingDivide(ticks, ticksPerUnit);
            if (amount <= MaxValue)
            {
                return Invariant(amount, unit);
            }
        }

        return Invariant(Math.Min(CeilingDivide(ticks, TimeSpan.TicksPerHour), MaxValue), 'H');
    }

    private static long CeilingDivide(long value, long divisor) => (value / divisor) + (value % divisor == 0 ? 0 : 1);

    private static string Invariant(long amount, char unit) =>
        amount.ToString(CultureInfo.InvariantCulture) + unit;
}
