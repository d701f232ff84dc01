using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BizKeys.Tests.Notifications;

/// <summary>A real HTTP endpoint on loopback that records each webhook and answers with the statuses it is told.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();

    public sealed record Received(string Id, string Timestamp, string Signature, string Body, string UserAgent);

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; private set; } = "";

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <param name="delay">How long each answer takes (a slow receiver).</param>
    public static async Task<WebhookReceiver> StartAsync(string path = "/hooks", bool redirect = false, TimeSpan? delay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost(path, async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            receiver.Requests.Enqueue(new Received(http.Request.Headers["webhook-id"].ToString(), http.Request.Headers["webhook-timestamp"].ToString(),
                http.Request.Headers["webhook-signature"].ToString(), await reader.ReadToEndAsync(), http.Request.Headers.UserAgent.ToString()));
            if (delay is { } wait)
                await Task.Delay(wait);
            if (redirect)
                return Results.Redirect("http://127.0.0.1:9/elsewhere");
            return Results.StatusCode(receiver._answers.TryDequeue(out var status) ? status : 200);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + path;
        return receiver;
    }

    /// <summary>The next answers, in order; 200 once they run out.</summary>
    public void AnswerWith(params int[] statuses)
    {
        foreach (var status in statuses)
            _answers.Enqueue(status);
    }

    public void ClearAnswers() => _answers.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
