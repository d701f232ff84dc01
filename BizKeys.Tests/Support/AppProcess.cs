using System.Diagnostics;
using System.Text;

namespace BizKeys.Tests.Support;

/// <summary>
/// The BizKeys app as an operator runs it: its own process (<c>dotnet BizKeys.Admin.dll</c>) on a free loopback port,
/// in Production, with its database and logs in a folder the test owns. It can be stopped gracefully or killed.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();

    private AppProcess(Process process) => Process = process;

    public Process Process { get; }
    public string BaseUrl { get; private set; } = "";
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static ProcessStartInfo StartInfo(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BizKeys.Admin.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in TestDatabases.SettingsFor(directory))
            start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["BizKeys__LogDirectory"] = Path.Combine(directory, "logs");
        start.Environment["Urls"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["BizKeys__Bootstrap__OwnerEmail"] = TestData.OwnerEmail;
        start.Environment["BizKeys__Bootstrap__OwnerPassword"] = TestData.Password;
        start.Environment["BizKeys__Bootstrap__AccountName"] = TestData.AccountName;
        return start;
    }

    /// <summary>Starts the app and waits until it listens; null when the process ended first (its output says why).</summary>
    public static async Task<AppProcess> StartAsync(string directory, IDictionary<string, string>? settings = null, TimeSpan? timeout = null)
    {
        var start = StartInfo(directory);
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var app = new AppProcess(Process.Start(start)!);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null)
                return;
            lock (app._output)
                app._output.AppendLine(line);
            const string marker = "Now listening on: ";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
                listening.TrySetResult(line[(at + marker.Length)..].Trim());
        }
        app.Process.OutputDataReceived += (_, e) => Read(e.Data);
        app.Process.ErrorDataReceived += (_, e) => Read(e.Data);
        app.Process.BeginOutputReadLine();
        app.Process.BeginErrorReadLine();
        var exited = app.Process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(60)));
        if (first != listening.Task)
        {
            app.Process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The app did not start listening:\n{app.Output}");
        }
        app.BaseUrl = await listening.Task;
        return app;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or a power cut.</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a supervisor stops a service: the app shuts down gracefully.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
            await KillAsync();
        Process.Dispose();
    }
}

public static class ProcessExits
{
    /// <summary>Waits for the process to end; one that does not within <paramref name="timeout"/> is killed, never left running.</summary>
    public static async Task ExitWithinAsync(this Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"The process did not end within {timeout.TotalSeconds:0} s and was killed.");
        }
    }
}
