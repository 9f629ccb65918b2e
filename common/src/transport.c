/* Dispatch to a transport's operations, tolerating the optional ones being absent. */
#include "opgp/transport.h"

opgp_status opgp_transport_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                    uint8_t *resp, size_t *resp_len)
{
    if (!t || !t->ops || !t->ops->transmit || !cmd || !resp || !resp_len)
        return OPGP_E_INVALID_ARG;
    return t->ops->transmit(t, cmd, cmd_len, resp, resp_len);
}

opgp_status opgp_transport_begin(opgp_transport *t)
{
    if (!t || !t->ops)
        return OPGP_E_INVALID_ARG;
    return t->ops->begin ? t->ops->begin(t) : OPGP_OK;
}

opgp_status opgp_transport_end(opgp_transport *t)
{
    if (!t || !t->ops)
        return OPGP_E_INVALID_ARG;
    return t->ops->end ? t->ops->end(t) : OPGP_OK;
}

opgp_status opgp_transport_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    if (!t || !t->ops || !t->ops->get_atr || !atr || !atr_len)
        return OPGP_E_INVALID_ARG;
    return t->ops->get_atr(t, atr, atr_len);
}

opgp_status opgp_transport_control(opgp_transport *t, uint32_t code, const uint8_t *in,
                                   size_t in_len, uint8_t *out, size_t *out_len)
{
    if (!t || !t->ops)
        return OPGP_E_INVALID_ARG;
    if (!t->ops->control)
        return OPGP_E_NOT_SUPPORTED;
    return t->ops->control(t, code, in, in_len, out, out_len);
}

void opgp_transport_close(opgp_transport *t)
{
    if (t && t->ops && t->ops->close)
        t->ops->close(t);
}
