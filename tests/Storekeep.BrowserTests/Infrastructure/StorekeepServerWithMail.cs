using Storekeep.Tests.Infrastructure;

namespace Storekeep.BrowserTests.Infrastructure;

/// <summary>A <see cref="StorekeepServer"/> whose email goes to a real SMTP listener on loopback.</summary>
public sealed class StorekeepServerWithMail : StorekeepServer
{
    public SmtpTestServer Smtp { get; private set; } = default!;

    protected override async ValueTask<IDictionary<string, string?>> MoreSettingsAsync()
    {
        Smtp = await SmtpTestServer.StartAsync();
        return Smtp.Settings();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }
}
