using Microsoft.Extensions.DependencyInjection;
using Storekeep.Events;

namespace Storekeep.Messaging;

public static class MessagingSetup
{
    /// <summary>The message queue, the order emails, the log and templates, and this node's email sender.</summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddSingleton<EmailSettings>();
        services.AddSingleton<SmsSettings>();
        services.AddHttpClient(TwilioSmsSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<ISmsSender>(sp => sp.GetRequiredService<SmsSettings>().Provider == SmsSettings.Twilio
            ? ActivatorUtilities.CreateInstance<TwilioSmsSender>(sp)
            : new LogSmsSender());
        services.AddScoped<MessageQueue>();
        services.AddScoped<UnsubscribeLinks>();
        services.AddScoped<SmsInbound>();
        services.AddScoped<MessageLog>();
        services.AddScoped<MessageTemplates>();
        services.AddEventSubscriber<OrderEmails>(OrderEmails.SubscriberName);
        services.AddSingleton<MessageSignal>();
        services.AddSingleton<SmtpConnections>();
        services.AddSingleton<MessageDeliverer>();
        services.AddHostedService<MessageDeliveryService>();
        services.AddHostedService<InboundSmsPruneService>();
        return services;
    }
}
