using Distributed.InferenceWorker.Generation;
using Distributed.InferenceWorker.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.InferenceWorker.Tests.Generation;

public class PromptFormatterTests
{
    private static readonly ChatTurn[] Conversation =
    [
        new("system", "You are terse."),
        new("user", "Hi"),
        new("assistant", "Hello."),
        new("user", "Bye"),
    ];

    [OneTimeSetUp]
    public void Init() => LlamaLibrary.Initialize(TestPaths.NativeDirectory, NullLogger.Instance);

    [Test]
    public void Format_ChatmlTemplate_AppliedByLlamaCpp()
    {
        var (prompt, templated) = PromptFormatter.Format("chatml", Conversation);
        Assert.That(templated, Is.True);
        Assert.That(prompt, Is.EqualTo(
            "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n" +
            "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n"));
    }

    [Test]
    public void Format_NoTemplate_TranscriptFallback()
    {
        var (prompt, templated) = PromptFormatter.Format(null, Conversation);
        Assert.That(templated, Is.False);
        Assert.That(prompt, Is.EqualTo("System: You are terse.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Bye\n\nAssistant:"));
    }

    [Test]
    public void Format_UnsupportedJinjaTemplate_TranscriptFallback()
    {
        var (prompt, templated) = PromptFormatter.Format("{% for m in messages %}{{ m.weird_field }}{% endfor %}", Conversation);
        Assert.That(templated, Is.False);
        Assert.That(prompt, Does.EndWith("Assistant:"));
    }
}
