namespace Distributed.Grpc.Tests;

/// <summary>The grpc-timeout and grpc-message encodings on their own.</summary>
[TestFixture]
public sealed class ProtocolEncodingTests
{
    [TestCase("2H", 2 * TimeSpan.TicksPerHour)]
    [TestCase("3M", 3 * TimeSpan.TicksPerMinute)]
    [TestCase("4S", 4 * TimeSpan.TicksPerSecond)]
    [TestCase("250m", 250 * TimeSpan.TicksPerMillisecond)]
    [TestCase("7u", 70L)]
    [TestCase("1000n", 10L)]
    [TestCase("1n", 1L)]
    [TestCase("99999999H", 99_999_999 * TimeSpan.TicksPerHour)]
    public void TryParse_ValidTimeout_ReturnsDuration(string value, long expectedTicks)
    {
        Assert.That(GrpcTimeout.TryParse(value, out var timeout), Is.True);
        Assert.That(timeout.Ticks, Is.EqualTo(expectedTicks));
    }

    [TestCase("")]
    [TestCase("S")]
    [TestCase("10")]
    [TestCase("10s")]
    [TestCase("-1S")]
    [TestCase("1.5S")]
    [TestCase("123456789S")]
    [TestCase(" 1S")]
    public void TryParse_InvalidTimeout_ReturnsFalse(string value)
    {
        Assert.That(GrpcTimeout.TryParse(value, out _), Is.False);
    }

    [TestCase(1L, "100n")]
    [TestCase(TimeSpan.TicksPerMillisecond, "1000000n")]
    [TestCase(TimeSpan.TicksPerSecond, "1000000u")]
    [TestCase(TimeSpan.TicksPerMinute, "60000000u")]
    [TestCase(TimeSpan.TicksPerHour, "3600000m")]
    [TestCase(TimeSpan.TicksPerDay * 365, "31536000S")]
    [TestCase(TimeSpan.TicksPerMillisecond + 1, "1000100n")]
    public void Format_Duration_UsesFinestUnitThatFits(long ticks, string expected)
    {
        Assert.That(GrpcTimeout.Format(TimeSpan.FromTicks(ticks)), Is.EqualTo(expected));
    }

    [Test]
    public void Format_HugeDuration_IsCappedAtEightDigitHours()
    {
        Assert.That(GrpcTimeout.Format(TimeSpan.MaxValue), Is.EqualTo("99999999H"));
    }

    [TestCase(123_456_789L)]
    [TestCase(9_999_999_999L)]
    [TestCase(36_000_000_000_001L)]
    public void Format_ThenParse_NeverShortensTheTimeout(long ticks)
    {
        Assert.That(GrpcTimeout.TryParse(GrpcTimeout.Format(TimeSpan.FromTicks(ticks)), out var parsed), Is.True);
        Assert.That(parsed.Ticks, Is.GreaterThanOrEqualTo(ticks));
    }

    [TestCase("plain ascii message", "plain ascii message")]
    [TestCase("100%", "100%25")]
    [TestCase("ü", "%C3%BC")]
    [TestCase("line\nbreak", "line%0Abreak")]
    [TestCase("✓", "%E2%9C%93")]
    [TestCase("\u007f", "%7F")]
    public void Encode_StatusMessage_PercentEncodesOutsidePrintableAscii(string message, string expected)
    {
        Assert.That(StatusMessageEncoding.Encode(message), Is.EqualTo(expected));
    }

    [TestCase("%C3%BC", "ü")]
    [TestCase("%c3%bc", "ü")]
    [TestCase("100%25", "100%")]
    [TestCase("%", "%")]
    [TestCase("%G0 x", "%G0 x")]
    [TestCase("end %4", "end %4")]
    [TestCase("%FF", "\uFFFD")]
    public void Decode_StatusMessage_DecodesValidAndKeepsBrokenSequences(string value, string expected)
    {
        Assert.That(StatusMessageEncoding.Decode(value), Is.EqualTo(expected));
    }

    [TestCase("application/grpc", true)]
    [TestCase("application/grpc+proto", true)]
    [TestCase("application/grpc; charset=utf-8", true)]
    [TestCase("APPLICATION/GRPC", true)]
    [TestCase("application/grpc+json", false)]
    [TestCase("application/grpcx", false)]
    [TestCase("application/json", false)]
    [TestCase(null, false)]
    public void IsProtobufContentType_Value_MatchesGrpcProtobufTypesOnly(string? contentType, bool expected)
    {
        Assert.That(GrpcProtocol.IsProtobufContentType(contentType), Is.EqualTo(expected));
    }
}
