using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Distributed.Grpc;

/// <summary>Length-Prefixed-Message framing: 1 byte Compressed-Flag, 4 byte big-endian length, protobuf bytes.</summary>
internal static class MessageFraming
{
    /// <summary>Returns the message's serialized size, failing with RESOURCE_EXHAUSTED when it is over the limit.</summary>
    public static int MeasureForSend(IMessage message, int maxSendMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxSendMessageSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({size} > {maxSendMessageSize}).");
        }

        return size;
    }

    /// <summary>Writes one uncompressed frame; <paramref name="destination"/> holds at least header + size bytes.</summary>
    public static void WriteFrame(Span<byte> destination, IMessage message, int size)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)size);
        message.WriteTo(destination.Slice(GrpcProtocol.FrameHeaderSize, size));
    }

    public static void WriteFrame(IBufferWriter<byte> writer, IMessage message, int maxSendMessageSize)
    {
        var size = MeasureForSend(message, maxSendMessageSize);
        var frameLength = GrpcProtocol.FrameHeaderSize + size;
        WriteFrame(writer.GetSpan(frameLength), message, size);
        writer.Advance(frameLength);
    }

    public static byte[] EncodeFrame(IMessage message, int maxSendMessageSize)
    {
        var size = MeasureForSend(message, maxSendMessageSize);
        var frame = new byte[GrpcProtocol.FrameHeaderSize + size];
        WriteFrame(frame, message, size);
        return frame;
    }

    /// <summary>
    /// Reads the next message, or null when the stream ended cleanly between messages.
    /// DATA frame boundaries mean nothing here: a message may arrive in many reads.
    /// </summary>
    /// <param name="encoding">The peer's <c>grpc-encoding</c> header value.</param>
    /// <param name="unsupportedEncodingStatus">
    /// UNIMPLEMENTED on a server, INTERNAL on a client (grpc/grpc doc/compression.md).
    /// </param>
    public static async ValueTask<T?> ReadAsync<T>(
        PipeReader reader,
        MessageParser<T> parser,
        int maxReceiveMessageSize,
        string? encoding,
        StatusCode unsupportedEncodingStatus,
        CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= GrpcProtocol.FrameHeaderSize)
            {
                var length = ReadHeader(buffer, maxReceiveMessageSize, encoding, unsupportedEncodingStatus);
                if (buffer.Length - GrpcProtocol.FrameHeaderSize >= length)
                {
                    var payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
                    T message;
                    try
                    {
                        message = parser.ParseFrom(payload);
                    }
                    catch (InvalidProtocolBufferException e)
                    {
                        throw new RpcException(StatusCode.Internal, "Failed to deserialize message.", e);
                    }
                    finally
                    {
                        reader.AdvanceTo(payload.End);
                    }

                    return message;
                }
            }

            if (result.IsCompleted)
            {
                if (buffer.IsEmpty)
                {
                    reader.AdvanceTo(buffer.End);
                    return null;
                }

                throw new RpcException(StatusCode.Internal, "Incomplete message: the stream ended inside a frame.");
            }

            // Nothing usable yet: keep what we have and wait for more bytes.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Validates a frame header and returns the message length.</summary>
    private static long ReadHeader(
        ReadOnlySequence<byte> buffer,
        int maxReceiveMessageSize,
        string? encoding,
        StatusCode unsupportedEncodingStatus)
    {
        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);

        switch (header[0])
        {
            case 0:
                break;
            case 1 when GrpcProtocol.IsIdentity(encoding):
                throw new RpcException(
                    StatusCode.Internal,
                    "Compressed-Flag is set but no grpc-encoding other than identity was declared.");
            case 1:
                throw new RpcException(
                    unsupportedEncodingStatus,
                    $"Unsupported grpc-encoding '{encoding}'. Supported encodings: {GrpcProtocol.IdentityEncoding}.");
            default:
                throw new RpcException(StatusCode.Internal, $"Invalid Compressed-Flag value {header[0]}.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > maxReceiveMessageSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {maxReceiveMessageSize}).");
        }

        return length;
    }
}
