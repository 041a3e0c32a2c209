using Distributed.Contracts;
using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Distributed.Gateway.Tests.GrpcProxy;

/// <summary>
/// The gateway's gRPC front door against the real worker: service clients call the typed contract through the
/// gateway, authenticated like the HTTP API, routed by the model header, and get what the worker itself answers.
/// </summary>
[TestFixture]
public sealed class GrpcFrontDoorTests
{
    private SharedEnvironment _env = null!;
    private GrpcChannel _gatewayChannel = null!;
    private GrpcChannel _workerChannel = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _gatewayChannel = GrpcChannel.ForAddress(_env.Gateway.GrpcAddress);
        _workerChannel = GrpcChannel.ForAddress(_env.Worker.Address);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _gatewayChannel?.Dispose();
        _workerChannel?.Dispose();
    }

    [Test]
    public async Task Generate_ServiceKey_StreamsWhatTheWorkerAnswersDirectly()
    {
        var request = Request(WorkerProcess.Stories, "Once upon a time", 12);

        var proxied = await RunAsync(new Inference.InferenceClient(_gatewayChannel), request, Headers(TestKeys.Service));
        var direct = await RunAsync(new Inference.InferenceClient(_workerChannel), request, new Metadata());

        Assert.That(proxied.Deltas.Count, Is.GreaterThan(1), "streamed, not buffered into one reply");
        Assert.That(string.Concat(proxied.Deltas), Is.EqualTo(string.Concat(direct.Deltas)));
        Assert.That(proxied.Final.FinishReason, Is.EqualTo(FinishReason.Length));
        Assert.That(proxied.Final.Usage.CompletionTokens, Is.EqualTo(12));
    }

    [Test]
    public async Task Generate_AdminKeyAndAlias_Streams()
    {
        var outcome = await RunAsync(new Inference.InferenceClient(_gatewayChannel), Request("llama2", "Once", 4), Headers(TestKeys.Admin, "llama2"));

        Assert.That(outcome.Final.Usage.CompletionTokens, Is.EqualTo(4));
    }

    [Test]
    public async Task ListModelsAndGetStatus_ServiceKey_ComeFromTheWorker()
    {
        var client = new Inference.InferenceClient(_gatewayChannel);

        var models = await client.ListModelsAsync(new ListModelsRequest(), Headers(TestKeys.Service, model: null));
        var status = await client.GetStatusAsync(new GetStatusRequest(), Headers(TestKeys.Service, model: null));

        Assert.That(models.Models.Select(m => m.Name), Does.Contain(WorkerProcess.Stories));
        Assert.That(status.Capacity, Is.GreaterThan(0));
    }

    [Test]
    public void Generate_NoCredentials_Unauthenticated()
    {
        var error = Assert.ThrowsAsync<RpcException>(() =>
            RunAsync(new Inference.InferenceClient(_gatewayChannel), Request(WorkerProcess.Stories, "Once", 2), new Metadata { { InferenceHeaders.Model, WorkerProcess.Stories } }));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public void Generate_WrongKey_Unauthenticated()
    {
        var error = Assert.ThrowsAsync<RpcException>(() =>
            RunAsync(new Inference.InferenceClient(_gatewayChannel), Request(WorkerProcess.Stories, "Once", 2), Headers("not-a-key-0123456789abcdef")));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public void Generate_UserRole_PermissionDenied()
    {
        var error = Assert.ThrowsAsync<RpcException>(() =>
            RunAsync(new Inference.InferenceClient(_gatewayChannel), Request(WorkerProcess.Stories, "Once", 2), Headers(TestKeys.Alice)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
    }

    [Test]
    public void UnloadModel_ServiceRole_PermissionDenied()
    {
        var client = new Inference.InferenceClient(_gatewayChannel);

        var error = Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnloadModelAsync(new UnloadModelRequest { Name = WorkerProcess.Stories }, Headers(TestKeys.Service)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
    }

    [Test]
    public void Generate_NoModelHeader_InvalidArgumentNamingTheHeader()
    {
        var error = Assert.ThrowsAsync<RpcException>(() =>
            RunAsync(new Inference.InferenceClient(_gatewayChannel), Request(WorkerProcess.Stories, "Once", 2), Headers(TestKeys.Service, model: null)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(error.Status.Detail, Does.Contain(InferenceHeaders.Model));
    }

    [Test]
    public void Generate_UnknownModel_InvalidArgument()
    {
        var error = Assert.ThrowsAsync<RpcException>(() =>
            RunAsync(new Inference.InferenceClient(_gatewayChannel), Request("gpt-9", "Once", 2), Headers(TestKeys.Service, "gpt-9")));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(error.Status.Detail, Does.Contain("gpt-9"));
    }

    [Test]
    public void Generate_WorkerRejects_StatusAndErrorDetailPassThrough()
    {
        var tooLong = string.Join(' ', Enumerable.Repeat("once upon a time there was a dragon", 200));

        var error = Assert.ThrowsAsync<RpcException>(() =>
            RunAsync(new Inference.InferenceClient(_gatewayChannel), Request(WorkerProcess.Stories, tooLong, 2), Headers(TestKeys.Service)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        var detail = error.GetRpcStatus()?.GetDetail<ErrorDetail>();
        Assert.That(detail, Is.Not.Null, "the worker's grpc-status-details-bin trailer reached the client");
        Assert.That(detail!.Reason, Is.EqualTo(ErrorReason.PromptTooLong));
        Assert.That(detail.PromptTokens, Is.GreaterThan(detail.ContextLength));
    }

    [Test]
    public void Generate_HttpOneRequestToThePath_IsNotProxied()
    {
        using var http = _env.Gateway.CreateClient(TestKeys.Service);

        using var response = http.PostAsync("/distributed.inference.v1.Inference/Generate", new ByteArrayContent([])).GetAwaiter().GetResult();

        Assert.That((int)response.StatusCode, Is.EqualTo(404));
    }

    internal static Metadata Headers(string apiKey, string? model = WorkerProcess.Stories)
    {
        var headers = new Metadata { { "x-api-key", apiKey } };
        if (model is not null)
        {
            headers.Add(InferenceHeaders.Model, model);
        }

        return headers;
    }

    internal static GenerateRequest Request(string model, string prompt, int maxTokens) => new()
    {
        Model = model,
        Prompt = prompt,
        Sampling = new SamplingParams { MaxTokens = maxTokens, Temperature = 0f, Seed = 1 },
    };

    internal static async Task<(List<string> Deltas, GenerateReply Final)> RunAsync(
        Inference.InferenceClient client, GenerateRequest request, Metadata headers, DateTime? deadline = null, CancellationToken ct = default)
    {
        using var call = client.Generate(request, new CallOptions(headers, deadline ?? DateTime.UtcNow.AddSeconds(60), ct));
        var deltas = new List<string>();
        GenerateReply? last = null;
        await foreach (var reply in call.ResponseStream.ReadAllAsync(ct))
        {
            deltas.Add(reply.Delta);
            last = reply;
        }

        return (deltas, last ?? throw new InvalidOperationException("The stream ended without a reply."));
    }
}
