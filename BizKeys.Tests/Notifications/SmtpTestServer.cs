using System.Net;
using System.Net.Sockets;
using MimeKit;
using netDumbster.smtp;

namespace BizKeys.Tests.Notifications;

/// <summary>A real SMTP server on a free local port, inside the test run: what BizKeys hands it is parsed back as MIME.</summary>
public sealed class SmtpTestServer : IDisposable
{
    private readonly SimpleSmtpServer _server;

    private SmtpTestServer(int port)
    {
        Port = port;
        _server = SimpleSmtpServer.Start(port);
    }

    public int Port { get; }

    public static SmtpTestServer Start() => new(FreePort());

    /// <summary>The settings that point BizKeys at this server, plain text (no TLS on a test server).</summary>
    public Dictionary<string, string?> Settings(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BizKeys:Smtp:Host"] = "127.0.0.1",
            ["BizKeys:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BizKeys:Smtp:Security"] = "None",
            ["BizKeys:Smtp:From"] = "BizKeys <keys@bizkeys.test>",
            ["BizKeys:PublicUrl"] = "https://keys.example.com",
        };
        foreach (var (name, value) in more ?? [])
            settings[name] = value;
        return settings;
    }

    public IReadOnlyList<MimeMessage> Messages =>
        [.. _server.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))];

    public void Clear() => _server.ClearReceivedEmail();

    public void Stop() => _server.Stop();

    public void Dispose() => _server.Dispose();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
