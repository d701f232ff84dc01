using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace BizKeys.Tests.Support;

/// <summary>
/// The in-memory test server has no client address. Give requests 127.0.0.1, or the address in the
/// X-Test-Client-Ip header, so IP allowlists can be tested. Real connections (Kestrel) keep their own.
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Ip";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var ip))
                context.Connection.RemoteIpAddress = IPAddress.Parse(ip!);
            else
                context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
            await nextMiddleware();
        });
        next(app);
    };
}
