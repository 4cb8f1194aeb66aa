using System.Data.Common;
using System.Net.Sockets;
using Orleans.Storage;
using Webhooks.Errors;

namespace Webhooks.DeadLetters;

/// <summary>Failures that say nothing about the event: the cluster, the database or an endpoint is busy or
/// briefly away. They are retried for as long as they last and never make an event poison.</summary>
internal static class TransientFailures
{
    public static bool IsTransient(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient);
            }

            if (e is EndpointBusyException or BacklogFullException or StoreUnavailableException
                or TimeoutException or OperationCanceledException or ObjectDisposedException
                or SiloUnavailableException or OrleansMessageRejectionException or InconsistentStateException
                or IOException or SocketException or DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
