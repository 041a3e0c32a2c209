using Distributed.InferenceWorker.Caching;

namespace Distributed.InferenceWorker.Tests.Caching;

[TestFixture]
public sealed class SpareBuffersTests
{
    private const nuint MiB = 1 << 20;

    [Test]
    public void Rent_NoSpare_NewBufferWithHeadroomInWholeMiB()
    {
        using var spares = new SpareBuffers(4);

        using var buffer = spares.Rent(10 * MiB);

        Assert.That(buffer.Length, Is.EqualTo(13 * MiB), "a quarter more, rounded up to a MiB");
    }

    [Test]
    public unsafe void Rent_SpareThatFits_ReturnsThatBuffer()
    {
        using var spares = new SpareBuffers(4);
        var first = spares.Rent(10 * MiB);
        var pointer = (IntPtr)first.Pointer;
        spares.Return(first);

        using var again = spares.Rent(12 * MiB);

        Assert.That((IntPtr)again.Pointer, Is.EqualTo(pointer));
        Assert.That(spares.Bytes, Is.Zero);
    }

    [Test]
    public unsafe void Rent_SpareTooSmallOrOverTwiceTheSize_NotUsed()
    {
        using var spares = new SpareBuffers(4);
        spares.Return(spares.Rent(4 * MiB));   // 5 MiB
        spares.Return(spares.Rent(40 * MiB));  // 50 MiB

        using var buffer = spares.Rent(20 * MiB);

        Assert.That(buffer.Length, Is.EqualTo(25 * MiB), "neither the 5 MiB nor the 50 MiB spare");
        Assert.That(spares.Bytes, Is.EqualTo((long)(55 * MiB)));
    }

    [Test]
    public void Return_OverTheLimit_DropsTheSmallest()
    {
        using var spares = new SpareBuffers(2);
        spares.Return(spares.Rent(8 * MiB));   // 10 MiB
        spares.Return(spares.Rent(1 * MiB));   // 2 MiB
        spares.Return(spares.Rent(16 * MiB));  // 20 MiB

        Assert.That(spares.Bytes, Is.EqualTo((long)(30 * MiB)));
    }
}
