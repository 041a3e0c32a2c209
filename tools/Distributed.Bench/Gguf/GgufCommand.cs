using System.CommandLine;
using System.Globalization;

namespace Distributed.Bench.Gguf;

/// <summary><c>gguf</c>: writes a random-weight llama GGUF of a chosen shape.</summary>
internal static class GgufCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Output file (default: <repo>/artifacts/bench/random-llama-<dim>x<layers>-<type>.gguf).",
        };
        var dim = new Option<int>("--dim") { Description = "Embedding length (n_embd).", DefaultValueFactory = _ => 768 };
        var layers = new Option<int>("--layers") { Description = "Number of transformer blocks.", DefaultValueFactory = _ => 12 };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => 12 };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads (default: --heads)." };
        var ff = new Option<int>("--ff") { Description = "Feed-forward length.", DefaultValueFactory = _ => 2048 };
        var context = new Option<int>("--context") { Description = "Training context length written to the metadata.", DefaultValueFactory = _ => 2048 };
        var type = new Option<string>("--type")
        {
            Description = "Matrix encoding: q4_k, q8_0, f16 or f32 (norms are always f32).",
            DefaultValueFactory = _ => "q4_k",
        };
        type.AcceptOnlyFromAmong("q4_k", "q8_0", "f16", "f32");
        var tokenizer = new Option<string?>("--tokenizer-from")
        {
            Description = $"GGUF whose tokenizer.* metadata is copied; its vocabulary size sets the embedding shape (default: <repo>/{RepoPaths.DefaultTokenizerRelative}).",
        };
        var seed = new Option<ulong>("--seed") { Description = "Random seed (the output is the same for the same seed and shape).", DefaultValueFactory = _ => 1 };
        var name = new Option<string?>("--name") { Description = "general.name (default: the file name without extension)." };
        var tie = new Option<bool>("--tie-embeddings") { Description = "Omit output.weight; llama.cpp then reuses token_embd.weight for the output." };
        var std = new Option<float>("--init-std") { Description = "Standard deviation of the random matrices.", DefaultValueFactory = _ => 0.02f };

        var command = new Command("gguf", "Write a random-weight llama-architecture GGUF (v3).")
        {
            output, dim, layers, heads, kvHeads, ff, context, type, tokenizer, seed, name, tie, std,
        };
        command.SetAction(parseResult =>
        {
            var weightType = ParseType(parseResult.GetValue(type)!);
            var spec = new LlamaModelSpec
            {
                EmbeddingLength = parseResult.GetValue(dim),
                BlockCount = parseResult.GetValue(layers),
                HeadCount = parseResult.GetValue(heads),
                HeadCountKv = parseResult.GetValue(kvHeads) ?? parseResult.GetValue(heads),
                FeedForwardLength = parseResult.GetValue(ff),
                ContextLength = parseResult.GetValue(context),
                WeightType = weightType,
                Seed = parseResult.GetValue(seed),
                TieEmbeddings = parseResult.GetValue(tie),
                InitStd = parseResult.GetValue(std),
            };
            var path = parseResult.GetValue(output)
                ?? RepoPaths.FromRoot(Path.Combine("artifacts", "bench",
                    $"random-llama-{spec.EmbeddingLength}x{spec.BlockCount}-{parseResult.GetValue(type)}.gguf"));
            spec = spec with { Name = parseResult.GetValue(name) ?? Path.GetFileNameWithoutExtension(path) };
            var tokenizerPath = parseResult.GetValue(tokenizer) ?? RepoPaths.FromRoot(RepoPaths.DefaultTokenizerRelative);

            try
            {
                spec.Validate();
                if (!File.Exists(tokenizerPath))
                {
                    Console.Error.WriteLine($"Tokenizer source not found: {tokenizerPath} (use --tokenizer-from).");
                    return 2;
                }

                var source = GgufReader.Read(tokenizerPath);
                var result = RandomLlamaModel.Write(path, spec, source);
                PrintSummary(spec, result, tokenizerPath);
                return 0;
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {exception.Message}");
                return 1;
            }
        });
        return command;
    }

    public static GgmlType ParseType(string text) => text.ToLowerInvariant() switch
    {
        "q4_k" => GgmlType.Q4_K,
        "q8_0" => GgmlType.Q8_0,
        "f16" => GgmlType.F16,
        "f32" => GgmlType.F32,
        _ => throw new ArgumentException($"Unknown type '{text}'."),
    };

    private static void PrintSummary(LlamaModelSpec spec, ModelWriteResult result, string tokenizerPath)
    {
        var c = CultureInfo.InvariantCulture;
        var embeddings = (long)result.VocabularySize * spec.EmbeddingLength * (spec.TieEmbeddings ? 1 : 2);
        Console.WriteLine($"file        {result.Path}");
        Console.WriteLine($"shape       dim {spec.EmbeddingLength}, layers {spec.BlockCount}, heads {spec.HeadCount}, kv-heads {spec.HeadCountKv}, " +
            $"head dim {spec.HeadDimension}, ff {spec.FeedForwardLength}, context {spec.ContextLength}, vocab {result.VocabularySize}" +
            (spec.TieEmbeddings ? ", tied embeddings" : string.Empty));
        Console.WriteLine($"tokenizer   {tokenizerPath}");
        Console.WriteLine(string.Create(c, $"parameters  {result.Parameters:N0} ({result.Parameters / 1e6:F1} M; {result.Parameters - embeddings:N0} without token_embd/output)"));
        Console.WriteLine($"tensors     {result.TensorCount}: " +
            string.Join(", ", result.TensorTypes.Select(pair => $"{pair.Value} x {pair.Key}")) + $", {2 * spec.BlockCount + 1} norms F32");
        Console.WriteLine(string.Create(c, $"size        {result.FileBytes:N0} bytes ({result.FileBytes / 1048576.0:F1} MiB, {result.FileBytes * 8.0 / result.Parameters:F2} bits/param)"));
        Console.WriteLine(string.Create(c, $"time        {result.Elapsed.TotalSeconds:F2} s"));
    }
}

/// <summary><c>inspect</c>: prints a GGUF's metadata and tensor table summary.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("file") { Description = "GGUF file." };
        var tensors = new Option<bool>("--tensors") { Description = "List every tensor." };
        var check = new Option<bool>("--check")
        {
            Description = "Decode the data of every F32/F16/Q8_0/Q4_K tensor and report value statistics; exit 1 on NaN/inf.",
        };
        var command = new Command("inspect", "Print a GGUF file's metadata, tensor types and parameter count.") { path, tensors, check };
        command.SetAction(parseResult =>
        {
            var file = GgufReader.Read(parseResult.GetValue(path)!);
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine($"GGUF v{file.Version}, {file.Metadata.Count} metadata keys, {file.Tensors.Count} tensors, alignment {file.Alignment}, data at {file.DataOffset}");
            foreach (var (key, value) in file.Metadata)
            {
                Console.WriteLine($"  {key,-45} {value.Type,-8} {value}");
            }

            foreach (var group in file.Tensors.GroupBy(t => t.Type))
            {
                Console.WriteLine(string.Create(c, $"  {group.Count(),4} x {group.Key,-5} {group.Sum(t => t.ElementCount):N0} elements"));
            }

            if (parseResult.GetValue(tensors))
            {
                foreach (var tensor in file.Tensors)
                {
                    Console.WriteLine($"  {tensor.Name,-28} {tensor.Type,-5} [{string.Join(", ", tensor.Dimensions)}] @ {tensor.Offset}");
                }
            }

            Console.WriteLine(string.Create(c, $"parameters {file.ParameterCount:N0}"));
            if (!parseResult.GetValue(check))
            {
                return 0;
            }

            long nonFinite = 0, checkedTensors = 0;
            foreach (var stats in TensorCheck.Scan(parseResult.GetValue(path)!, file))
            {
                checkedTensors++;
                nonFinite += stats.NonFinite;
                Console.WriteLine(string.Create(c,
                    $"  {stats.Tensor.Name,-28} {stats.Tensor.Type,-5} mean {stats.Mean,9:F5} std {stats.Std,8:F5} min {stats.Min,9:F4} max {stats.Max,9:F4} non-finite {stats.NonFinite}"));
            }

            var skipped = file.Tensors.Count - checkedTensors;
            Console.WriteLine(string.Create(c, $"checked {checkedTensors} tensors ({skipped} of other types skipped): {nonFinite} non-finite values"));
            return nonFinite == 0 ? 0 : 1;
        });
        return command;
    }
}
