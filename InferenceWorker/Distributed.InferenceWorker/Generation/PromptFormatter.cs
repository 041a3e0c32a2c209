using System.Runtime.InteropServices;
using System.Text;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Renders chat messages with llama.cpp's built-in template support. The template is the models.json override,
/// else the GGUF's own. Fallback, when there is none or llama.cpp cannot apply it (a Jinja-only template):
/// a plain transcript, one "Role: content" paragraph per message, ending with "Assistant:".
/// </summary>
public static unsafe class PromptFormatter
{
    public static string? ModelTemplate(SafeLlamaModelHandle model) =>
        Marshal.PtrToStringUTF8(NativeMethods.llama_model_chat_template(model, IntPtr.Zero));

    /// <summary>Returns the prompt and whether the template was applied (false: the transcript fallback).</summary>
    public static (string Prompt, bool Templated) Format(string? template, IReadOnlyList<ChatTurn> messages)
    {
        if (template is not null && TryApply(template, messages) is { } prompt)
        {
            return (prompt, true);
        }

        return (Transcript(messages), false);
    }

    public static string Transcript(IReadOnlyList<ChatTurn> messages)
    {
        var builder = new StringBuilder();
        foreach (var message in messages)
        {
            builder.Append(RoleLabel(message.Role)).Append(": ").Append(message.Content.Trim()).Append("\n\n");
        }

        return builder.Append("Assistant:").ToString();
    }

    private static string RoleLabel(string role) => role switch
    {
        "system" => "System",
        "assistant" => "Assistant",
        _ => "User",
    };

    private static string? TryApply(string template, IReadOnlyList<ChatTurn> messages)
    {
        var strings = new List<IntPtr>(messages.Count * 2 + 1);
        try
        {
            var native = new LlamaChatMessage[messages.Count];
            var size = 0;
            for (var i = 0; i < messages.Count; i++)
            {
                native[i].Role = Utf8(strings, messages[i].Role);
                native[i].Content = Utf8(strings, messages[i].Content);
                size += messages[i].Content.Length + messages[i].Role.Length;
            }

            var tmpl = Utf8(strings, template);
            var buffer = new byte[Math.Max(256, size * 2 + 256)];
            fixed (LlamaChatMessage* chat = native)
            {
                for (var attempt = 0; attempt < 2; attempt++)
                {
                    int length;
                    fixed (byte* output = buffer)
                    {
                        length = NativeMethods.llama_chat_apply_template(tmpl, chat, (nuint)native.Length, true, output, buffer.Length);
                    }

                    if (length < 0)
                    {
                        return null;
                    }

                    if (length <= buffer.Length)
                    {
                        return Encoding.UTF8.GetString(buffer, 0, length);
                    }

                    buffer = new byte[length];
                }
            }

            return null;
        }
        finally
        {
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }
        }
    }

    private static IntPtr Utf8(List<IntPtr> owned, string value)
    {
        var pointer = Marshal.StringToCoTaskMemUTF8(value);
        owned.Add(pointer);
        return pointer;
    }
}
