using Distributed.InferenceWorker;

var builder = WebApplication.CreateBuilder(args);
builder.AddInferenceWorker();

var app = builder.Build();
app.MapInferenceWorker();
app.Run();
