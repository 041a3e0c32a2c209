using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>Builds a request's own sampler chain; temperature 0 is greedy, so output is the same on every run.</summary>
public static class SamplerFactory
{
    private const int PenaltyWindow = 64;

    public static SafeLlamaSamplerHandle Create(SamplingSettings settings, int vocabularySize)
    {
        var chain = SafeLlamaSamplerHandle.CreateChain();
        try
        {
            if (Math.Abs(settings.RepeatPenalty - 1.0f) > 1e-6f)
            {
                chain.Add(NativeMethods.llama_sampler_init_penalties(vocabularySize, PenaltyWindow, settings.RepeatPenalty, 0f, 0f));
            }

            if (settings.Temperature <= 0f)
            {
                chain.Add(NativeMethods.llama_sampler_init_greedy());
                return chain;
            }

            if (settings.TopK > 0)
            {
                chain.Add(NativeMethods.llama_sampler_init_top_k(settings.TopK));
            }

            if (settings.TopP < 1f)
            {
                chain.Add(NativeMethods.llama_sampler_init_top_p(settings.TopP, 1));
            }

            if (settings.MinP > 0f)
            {
                chain.Add(NativeMethods.llama_sampler_init_min_p(settings.MinP, 1));
            }

            chain.Add(NativeMethods.llama_sampler_init_temp(settings.Temperature));
            chain.Add(NativeMethods.llama_sampler_init_dist(settings.Seed ?? (uint)Random.Shared.Next()));
            return chain;
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }
}
