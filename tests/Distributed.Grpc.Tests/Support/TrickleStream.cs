namespace Distributed.Grpc.Tests.Support;

/// <summary>Returns one byte per read, like DATA frames that cut messages anywhere.</summary>
internal sealed class TrickleStream(byte[] data) : MemoryStream(data)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
}
