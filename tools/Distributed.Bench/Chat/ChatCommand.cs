using System.CommandLine;
using Grpc.Core;

namespace Distributed.Bench.Chat;

/// <summary><c>chat</c>: the multi-turn chat benchmark against the gateway, llama-server or a worker.</summary>
internal static class ChatCommand
{
    public const string DefaultSystemPrompt = "You are a helpful assistant. Answer briefly.";

    public static Command Create()
    {
        var gateway = new Option<string?>("--gateway") { Description = "The gateway's HTTP address (sessions, conversations, SSE queries)." };
        var apiKey = new Option<string?>("--api-key") { Description = "The gateway's API key (x-api-key); an admin key has no limits." };
        var llamaServer = new Option<string?>("--llama-server") { Description = "llama-server's address (/v1/chat/completions; the client keeps the history)." };
        var worker = new Option<string?>("--worker") { Description = "A worker's gRPC address (Generate with chat messages and a cache key; the client keeps the history)." };
        var model = new Option<string?>("--model", "-m") { Description = "Model name (gateway session, worker catalog)." };
        var conversations = new Option<int>("--conversations", "-n") { Description = "Conversations (N).", DefaultValueFactory = _ => 16 };
        var turns = new Option<int>("--turns", "-t") { Description = "Turns per conversation (T).", DefaultValueFactory = _ => 8 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Requests in flight at once (C).", DefaultValueFactory = _ => 4 };
        var mode = new Option<string>("--mode")
        {
            Description = "interleaved: turn t of every conversation before turn t+1; back-to-back: each conversation's turns in a row.",
            DefaultValueFactory = _ => "interleaved",
        };
        mode.AcceptOnlyFromAmong("interleaved", "back-to-back");
        var words = new Option<int>("--words", "-w") { Description = "Words per user message (W).", DefaultValueFactory = _ => 40 };
        var genTokens = new Option<int>("--gen-tokens", "-g") { Description = "max_tokens per turn (G).", DefaultValueFactory = _ => 64 };
        var systemPrompt = new Option<string>("--system-prompt") { Description = "The system prompt.", DefaultValueFactory = _ => DefaultSystemPrompt };
        var warmup = new Option<int>("--warmup-turns") { Description = "Turns of an unmeasured warm-up conversation.", DefaultValueFactory = _ => 2 };
        var seed = new Option<uint>("--seed") { Description = "Sampling seed sent with every request.", DefaultValueFactory = _ => 42 };
        var timeout = new Option<double>("--timeout") { Description = "Deadline of each request, seconds.", DefaultValueFactory = _ => 600 };
        var json = new Option<string?>("--json") { Description = "Also write the results (every turn and the summary) as JSON to this file." };
        var record = new Option<string?>("--record") { Description = "Gateway only: append every streamed answer's pieces and their arrival times (ms) to this file, one JSON line per turn." };
        var label = new Option<string?>("--label") { Description = "A name for this target in reports and chat-compare (e.g. gateway-raw)." };
        var command = new Command("chat", "Multi-turn chat benchmark: N conversations x T turns, C at a time, against the gateway, llama-server or a worker.")
        {
            gateway, apiKey, llamaServer, worker, model, conversations, turns, concurrency, mode, words, genTokens, systemPrompt, warmup, seed, timeout, json, label, record,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var targets = new (ChatTargetKind Kind, string? Url)[]
            {
                (ChatTargetKind.Gateway, parseResult.GetValue(gateway)),
                (ChatTargetKind.LlamaServer, parseResult.GetValue(llamaServer)),
                (ChatTargetKind.Worker, parseResult.GetValue(worker)),
            }.Where(t => !string.IsNullOrWhiteSpace(t.Url)).ToArray();
            if (targets.Length != 1)
            {
                Console.Error.WriteLine("error: give exactly one of --gateway, --llama-server, --worker.");
                return 2;
            }

            var (kind, url) = targets[0];
            var modelName = parseResult.GetValue(model);
            if (kind != ChatTargetKind.LlamaServer && string.IsNullOrWhiteSpace(modelName))
            {
                Console.Error.WriteLine("error: --model is required for the gateway and a worker.");
                return 2;
            }

            var key = parseResult.GetValue(apiKey);
            if (kind == ChatTargetKind.Gateway && string.IsNullOrWhiteSpace(key))
            {
                Console.Error.WriteLine("error: --api-key is required for the gateway.");
                return 2;
            }

            var options = new ChatOptions(kind, new Uri(url!), modelName ?? "(llama-server's model)",
                Math.Max(1, parseResult.GetValue(conversations)), Math.Max(1, parseResult.GetValue(turns)),
                Math.Max(1, parseResult.GetValue(concurrency)),
                parseResult.GetValue(mode) == "back-to-back" ? ChatMode.BackToBack : ChatMode.Interleaved,
                Math.Max(1, parseResult.GetValue(words)), Math.Max(1, parseResult.GetValue(genTokens)),
                parseResult.GetValue(systemPrompt) ?? DefaultSystemPrompt, Math.Max(0, parseResult.GetValue(warmup)),
                parseResult.GetValue(seed), TimeSpan.FromSeconds(parseResult.GetValue(timeout)), parseResult.GetValue(label) ?? "",
                parseResult.GetValue(record) is { } recordPath ? new DeltaRecorder(recordPath) : null);
            try
            {
                using IChatTarget target = kind switch
                {
                    ChatTargetKind.Gateway => new GatewayChatTarget(options, key!),
                    ChatTargetKind.LlamaServer => new LlamaServerChatTarget(options),
                    _ => new WorkerChatTarget(options),
                };
                var results = await new ChatBenchmark(options, target, Console.Out).RunAsync(cancellationToken);
                ChatReport.Print(results, Console.Out);
                if (parseResult.GetValue(json) is { } path)
                {
                    ChatJson.Write(results, path);
                    Console.WriteLine($"results written to {path}");
                }

                return 0;
            }
            catch (RpcException exception)
            {
                Console.Error.WriteLine($"error: worker call failed: {exception.StatusCode}: {exception.Status.Detail}");
                return 1;
            }
            catch (HttpRequestException exception)
            {
                Console.Error.WriteLine($"error: HTTP call failed: {exception.Message}"
                                        + (exception.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : ""));
                return 1;
            }
        });
        return command;
    }
}
