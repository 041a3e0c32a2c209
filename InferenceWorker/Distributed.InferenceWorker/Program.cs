using Distributed.InferenceWorker;
using Distributed.InferenceWorker.Services;

if (args.Contains(WorkerHealthProbe.Flag))
{
    return await WorkerHealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddInferenceWorker();

var app = builder.Build();
app.MapInferenceWorker();
await app.RunAsync();
return 0;
