namespace Distributed.Sanitization;

/// <summary>
/// Accepts a card-shaped digit run only when it is 13-19 digits, starts with a payment-network digit (2-6: Mastercard,
/// Amex/Diners/JCB, Visa, Mastercard/Maestro, Discover/UnionPay) and passes Luhn. The IIN check keeps Luhn-valid
/// millisecond timestamps and zero-padded ids (which start with 1 or 0) from being redacted.
/// </summary>
internal static class PaymentCard
{
    public static bool IsValid(ReadOnlySpan<char> candidate)
    {
        Span<int> digits = stackalloc int[19];
        int count = 0;
        foreach (char c in candidate)
        {
            if (c is >= '0' and <= '9')
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = c - '0';
            }
        }

        return count is >= 13 and <= 19 && digits[0] is >= 2 and <= 6 && Luhn(digits[..count]);
    }

    internal static bool Luhn(ReadOnlySpan<int> digits)
    {
        int sum = 0;
        bool twice = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i];
            if (twice)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            twice = !twice;
        }

        return sum % 10 == 0;
    }
}
