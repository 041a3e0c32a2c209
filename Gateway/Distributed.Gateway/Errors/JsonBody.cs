using System.Text.Json;

namespace Distributed.Gateway.Errors;

/// <summary>
/// Reads a JSON object body by hand so every malformed, mistyped, missing or oversized field gets a 400 that names it
/// (model binding would answer with generic messages).
/// </summary>
public sealed class JsonBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };
    private readonly JsonElement _root;

    private JsonBody(JsonElement root) => _root = root;

    public static async Task<JsonBody> ReadAsync(HttpRequest request, bool optional = false)
    {
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (!hasBody)
        {
            return optional ? new JsonBody(default) : throw ApiException.BadRequest("body", "A JSON object body is required.");
        }

        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, Options, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest("body", "The body must be a JSON object.");
            }

            return new JsonBody(document.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest("body", $"The body is not valid JSON: {ex.Message}");
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw ApiException.BadRequest("body", "The body is not valid UTF-8.");
        }
    }

    /// <summary>
    /// The string's text. The parser checks JSON syntax only: bytes that are not UTF-8, or an escaped lone surrogate
    /// (<c>"\ud800"</c>), fail when the text is read, and that is the field's fault (400), not the gateway's.
    /// </summary>
    private static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ApiException.BadRequest(name, $"'{name}' is not valid UTF-8 text.");
        }
    }

    private bool Has(string name, out JsonElement value)
    {
        value = default;
        return _root.ValueKind == JsonValueKind.Object && _root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    /// <summary>The field's raw value when it is present and not null (nested shapes the helpers below do not cover).</summary>
    public JsonElement? OptionalElement(string name) => Has(name, out var value) ? value : null;

    public bool? OptionalBool(string name)
    {
        if (!Has(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiException.BadRequest(name, $"'{name}' must be true or false."),
        };
    }

    public string RequiredString(string name, int maxLength) =>
        OptionalString(name, maxLength) is { } value ? value : throw ApiException.BadRequest(name, $"'{name}' is required.");

    public string? OptionalString(string name, int maxLength, bool allowEmpty = false)
    {
        if (!Has(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw ApiException.BadRequest(name, $"'{name}' must be a string.");
        }

        var text = Text(value, name);
        if (!allowEmpty && string.IsNullOrWhiteSpace(text))
        {
            throw ApiException.BadRequest(name, $"'{name}' must not be empty.");
        }

        if (text.Length > maxLength)
        {
            throw ApiException.BadRequest(name, $"'{name}' is longer than {maxLength} characters.");
        }

        return text;
    }

    public int? OptionalInt(string name, int min, int max)
    {
        if (!Has(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            throw ApiException.BadRequest(name, $"'{name}' must be an integer.");
        }

        return number >= min && number <= max ? number : throw ApiException.BadRequest(name, $"'{name}' must be between {min} and {max}.");
    }

    public long? OptionalLong(string name, long min, long max)
    {
        if (!Has(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw ApiException.BadRequest(name, $"'{name}' must be an integer.");
        }

        return number >= min && number <= max ? number : throw ApiException.BadRequest(name, $"'{name}' must be between {min} and {max}.");
    }

    public double? OptionalDouble(string name, double min, double max)
    {
        if (!Has(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw ApiException.BadRequest(name, $"'{name}' must be a number.");
        }

        return number >= min && number <= max ? number : throw ApiException.BadRequest(name, $"'{name}' must be between {min} and {max}.");
    }

    /// <summary>A string or an array of strings (OpenAI's <c>stop</c> shape).</summary>
    public IReadOnlyList<string> OptionalStrings(string name, int maxCount, int maxLength)
    {
        if (!Has(name, out var value))
        {
            return [];
        }

        var items = value.ValueKind switch
        {
            JsonValueKind.String => [value],
            JsonValueKind.Array => value.EnumerateArray().ToArray(),
            _ => throw ApiException.BadRequest(name, $"'{name}' must be a string or an array of strings."),
        };
        if (items.Length > maxCount)
        {
            throw ApiException.BadRequest(name, $"'{name}' takes at most {maxCount} strings.");
        }

        return items.Select(item => item.ValueKind == JsonValueKind.String && Text(item, name) is { Length: > 0 } s && s.Length <= maxLength
            ? s
            : throw ApiException.BadRequest(name, $"'{name}' must hold non-empty strings of at most {maxLength} characters.")).ToArray();
    }
}
